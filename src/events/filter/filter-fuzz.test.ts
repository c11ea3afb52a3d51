// Seeded fuzz of the filter language: random token soups and random POSIX patterns must compile or
// fail with a UsageError, and a compiled predicate must never throw on a record (short ones too).
import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../../base/index.js";
import type { RawRecord } from "../../ringbuf/index.js";
import { EventTable } from "../event-format.js";
import { compileEventFilter } from "./event-filter.js";
import { mulberry32 } from "../../test-support/prng.js";

const SEED = Number(process.env["FTK_FUZZ_SEED"] ?? 0xf117e5);

const FORMAT = `name: sample
ID: 7
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:char comm[16];	offset:8;	size:16;	signed:0;
	field:long state;	offset:24;	size:8;	signed:1;
	field:unsigned char flag;	offset:32;	size:1;	signed:0;
	field:__data_loc char[] name;	offset:36;	size:4;	signed:0;
	field:void * ptr;	offset:40;	size:8;	signed:0;

print fmt: "x"
`;

const TOKENS = [
  "comm", "state", "flag", "name", "ptr", "common_pid", "COMM", "CPU", "nosuch", "0", "1", "-1", "0x10",
  "0xffffffffffffffff", "99999999999999999999", "017", '"k*"', '"^a.*"', '"[a"', "'x'", "'xy'", '"\\\\("',
  "==", "!=", "<", "<=", ">", ">=", "=~", "!~", "~", "&", "|", "^", "+", "-", "*", "/", "%", "<<", ">>",
  "&&", "||", "!", "(", ")", ",", "=", "->", ":", " ", "\t",
];

const FIELDS = ["comm", "state", "flag", "name", "ptr", "common_pid", "COMM", "CPU", "nosuch"];
const VALUES = ["0", "1", "0x10", "0xffffffffffffffff", "99999999999999999999", "017", '"k*"', '"^a.*"', '"[a"', "'xy'", '"kwor"', '"0x30"'];
const CMP = ["==", "!=", "<", "<=", ">", ">=", "=~", "!~"];
const ARITH = ["&", "|", "^", "+", "-", "*", "/", "%", "<<", ">>", "~"];

/** Tokens of a mostly well-formed expression (the grammar of filter-parser.ts). */
function expression(rnd: () => number, depth: number): string[] {
  const pick = (list: readonly string[]): string => list[Math.floor(rnd() * list.length)]!;
  const term = (): string[] => {
    const r = rnd();
    if (depth < 3 && r < 0.15) return ["!", ...term()];
    if (depth < 3 && r < 0.3) return ["(", ...expression(rnd, depth + 1), ")"];
    return [pick(FIELDS), pick(rnd() < 0.7 ? CMP : ARITH), pick(VALUES)];
  };
  const out = term();
  while (rnd() < 0.4) out.push(rnd() < 0.5 ? "&&" : "||", ...term());
  return out;
}

const POSIX = ["a", ".", "*", "^", "$", "[", "]", "\\(", "\\)", "\\{", "\\}", "\\|", "\\+", "\\?", "\\1", "-", ",", "2", "[:alpha:]", "\\", "\\<", "+", "?"];

test("compileEventFilter() on random filters either compiles or throws UsageError, and never throws on records", () => {
  const rnd = mulberry32(SEED);
  const table = new EventTable({ littleEndian: true, longSize: 8, kernelLongSize: 8 });
  assert.ok(table.addFormat(FORMAT, "demo"));
  const full = new Uint8Array(64);
  const view = new DataView(full.buffer);
  view.setUint16(0, 7, true);
  view.setUint32(36, (4 << 16) | 48, true);
  full.set([0x6b, 0x77, 0x6f, 0x72], 8);
  const records: RawRecord[] = [64, 40, 20, 3, 0].map((len) => ({ buf: full, view, pos: 0, len, ts: 0, cpu: 1, missedEvents: 0 }));
  let compiled = 0;
  for (let i = 0; i < 4000; i++) {
    // A well-formed expression, then a few random token edits (insert, replace, delete).
    const tokens = expression(rnd, 0);
    for (let e = Math.floor(rnd() * 3); e > 0; e--) {
      const at = Math.floor(rnd() * (tokens.length + 1));
      const r = rnd();
      if (r < 0.4) tokens.splice(at, 0, TOKENS[Math.floor(rnd() * TOKENS.length)]!);
      else if (r < 0.7) tokens.splice(at, 1, TOKENS[Math.floor(rnd() * TOKENS.length)]!);
      else tokens.splice(at, 1);
    }
    const text = (rnd() < 0.95 ? "sample:" : "") + tokens.join(rnd() < 0.5 ? " " : "");
    let match: ((rec: RawRecord) => boolean) | undefined;
    try {
      match = compileEventFilter(table, [text], { invert: rnd() < 0.2 });
      compiled++;
    } catch (e) {
      assert.ok(e instanceof UsageError, `filter ${JSON.stringify(text)} (case ${i}, seed ${SEED}) threw ${String(e)}`);
      assert.ok(!e.message.includes("\n"), `multi-line message for ${JSON.stringify(text)}`);
      continue;
    }
    for (const rec of records) assert.equal(typeof match(rec), "boolean");
  }
  // The generator must reach the compiler, not only the parser's error paths.
  assert.ok(compiled > 300, `only ${compiled} of 4000 random filters compiled`);
});

test("compileEventFilter() with random POSIX patterns on strings and event names fails only with UsageError", () => {
  const rnd = mulberry32(SEED + 1);
  const table = new EventTable({ littleEndian: true, longSize: 8, kernelLongSize: 8 });
  assert.ok(table.addFormat(FORMAT, "demo"));
  for (let i = 0; i < 3000; i++) {
    let pattern = "";
    for (let k = 0, n = 1 + Math.floor(rnd() * 6); k < n; k++) pattern += POSIX[Math.floor(rnd() * POSIX.length)]!;
    const quoted = pattern.replace(/"/g, "");
    for (const text of [`sample:comm =~ "${quoted}"`, `${pattern.replace(/[:,/]/g, "")}.*`]) {
      try {
        compileEventFilter(table, [text]);
      } catch (e) {
        assert.ok(e instanceof UsageError, `filter ${JSON.stringify(text)} (case ${i}, seed ${SEED}) threw ${String(e)}`);
      }
    }
  }
});
