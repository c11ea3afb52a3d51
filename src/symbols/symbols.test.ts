// The Symbolizer's sources, each with its bad inputs: PROCMAPS payloads, perf maps with junk lines, ELF
// files (with symbols, stripped, unreadable) and addresses nothing covers. Parsers are fuzzed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, suite, test } from "node:test";
import { hasTool } from "../probes/testing.js";
import { mulberry32 } from "../test-support/prng.js";
import { ElfSymbols, PerfMap, Symbolizer, parseProcMaps } from "./index.js";

test("parseProcMaps() reads trace-cmd's lines and the perf map ftk appends after them", () => {
  const p = parseProcMaps(
    "1f4 3 node\n555500000000 555500010000 /usr/bin/node\n7f0000000000 7f0000100000 /lib/libc.so.6\nbad line\n" +
      "# perf-map /tmp/perf-500.map\n3a00 40 LazyCompile:*ftkHotLoop x.js:1\n\0",
  )!;
  assert.equal(p.pid, 500);
  assert.equal(p.comm, "node");
  assert.deepEqual(p.maps.map((m) => m.path), ["/usr/bin/node", "/lib/libc.so.6"]);
  assert.equal(p.perfMap, "3a00 40 LazyCompile:*ftkHotLoop x.js:1\n");
  assert.equal(parseProcMaps("not a header\n"), undefined);
  assert.equal(parseProcMaps(new Uint8Array(0)), undefined);
});

test("PerfMap.parse() skips junk lines and finds the range holding an address", () => {
  const { map, skipped } = PerfMap.parse("1000 100 first one\nzzzz junk\n\n0x2000 0x10 second\n3000 0 empty\n1050 10 inner\n");
  assert.equal(skipped, 2);
  assert.equal(map.findName(0x1000), "first one");
  assert.equal(map.findName(0x1055), "inner");
  assert.equal(map.findName(0x10ff), "first one");
  assert.equal(map.findName(0x200f), "second");
  assert.equal(map.findName(0x2010), undefined);
  assert.equal(map.findName(0x10), undefined);
});

test("Symbolizer: no maps for the pid, an address outside the maps, an unreadable file, a perf map", async () => {
  const sym = new Symbolizer(undefined, [
    parseProcMaps("64 1 prog\n400000 401000 /nonexistent/libgone.so\n# perf-map /tmp/perf-100.map\n10000 100 JIT:hot\nnot hex at all\n")!,
  ]);
  assert.equal(sym.perfMapJunkLines, 1);
  assert.equal(await sym.userName(99, 0x400010), "[unknown]");
  assert.equal(await sym.userName(100, 0x400010), "libgone.so+0x10");
  assert.match(sym.unreadable.get("/nonexistent/libgone.so") ?? "", /./);
  assert.equal(await sym.userName(100, 0x10010), "JIT:hot");
  assert.equal(await sym.userName(100, 0x9), "[unknown]");
  assert.equal(sym.kernelName(0xffffffff81000000n), "[unknown]");
});

test("parseProcMaps() and PerfMap.parse() never throw on mutated input (seeded fuzz)", () => {
  const seed = 8;
  const rnd = mulberry32(seed);
  const base = "1f4 3 node\n555500000000 555500010000 /usr/bin/node\n# perf-map /tmp/x\n3a00 40 name\n";
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(base, "latin1");
    for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const cut = b.subarray(0, Math.floor(rnd() * (b.length + 1)));
    assert.doesNotThrow(() => parseProcMaps(cut), `seed ${seed} case ${i}`);
    assert.doesNotThrow(() => PerfMap.parse(cut.toString("latin1")), `seed ${seed} case ${i}`);
  }
});

const PROGRAM = `
static int helper(int x) { return x * 3 + 1; }
int spin_a(int x) { return helper(x) + 2; }
int main(int argc, char **argv) { (void)argv; return spin_a(argc) > 100; }
`;

suite("ELF symbols of programs compiled here", { skip: hasTool("gcc") && hasTool("nm") ? false : "gcc/binutils not installed" }, () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ftk-symbols-"));
    writeFileSync(join(dir, "p.c"), PROGRAM);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The address of a symbol as nm prints it. */
  function nmAddress(bin: string, name: string, dynamic = false): number {
    const out = execFileSync("nm", [...(dynamic ? ["-D"] : []), bin], { encoding: "latin1" });
    const line = out.split("\n").find((l) => l.endsWith(` ${name}`));
    assert.ok(line, `${name} in nm output`);
    return parseInt(line.split(" ")[0]!, 16);
  }

  for (const pie of [true, false]) {
    test(`a ${pie ? "PIE" : "non-PIE"} program: .symtab names, static functions included`, async () => {
      const bin = join(dir, pie ? "pie" : "nopie");
      execFileSync("gcc", ["-O1", "-fno-inline", ...(pie ? ["-fPIE", "-pie"] : ["-fno-pie", "-no-pie"]), "-o", bin, join(dir, "p.c")]);
      const start = pie ? 0x555555554000 : 0x400000;
      const sym = new Symbolizer(undefined, [parseProcMaps(`10 1 p\n${start.toString(16)} ${(start + 0x5000).toString(16)} ${bin}\n`)!]);
      const at = (name: string) => (pie ? start : 0) + nmAddress(bin, name);
      assert.equal(await sym.userName(16, at("spin_a") + 1), "spin_a");
      assert.equal(await sym.userName(16, at("helper")), "helper");
      assert.equal(await sym.userName(16, at("main") + 2), "main");
    });
  }

  test("a stripped program: .dynsym names for exported functions, file+0xOFF for the rest", async () => {
    const bin = join(dir, "stripped");
    execFileSync("gcc", ["-O1", "-fno-inline", "-rdynamic", "-o", bin, join(dir, "p.c")]);
    const helper = nmAddress(bin, "helper");
    const spinA = nmAddress(bin, "spin_a");
    execFileSync("strip", ["--strip-all", bin]);
    const elf = await ElfSymbols.load(bin);
    assert.ok(elf.size > 0, "dynsym functions");
    const start = 0x555555554000;
    const sym = new Symbolizer(undefined, [parseProcMaps(`10 1 p\n${start.toString(16)} ${(start + 0x5000).toString(16)} ${bin}\n`)!]);
    assert.equal(await sym.userName(16, start + spinA + 1), "spin_a");
    assert.equal(await sym.userName(16, start + helper), `stripped+0x${helper.toString(16)}`);
  });
});
