import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sharedDir } from "../test-support/paths.js";
import { Kallsyms } from "./kallsyms.js";
import { BUILT_MODULES, moduleBytes, scanKallsymsWasm, scanOptions, type ScannedKallsyms } from "./kallsyms-scan.js";

/** Both scans of the same text: the WebAssembly one and the JavaScript one. */
function bothScans(text: Uint8Array | string): [Kallsyms, Kallsyms] {
  const wasm = Kallsyms.parse(text);
  wasm.size;
  Kallsyms.useWasm = false;
  try {
    const js = Kallsyms.parse(text);
    js.size;
    return [wasm, js];
  } finally {
    Kallsyms.useWasm = true;
  }
}

/** Where V8 runs without WebAssembly (node --jitless), both "scans" would be the JavaScript one. */
const noWasm = typeof WebAssembly === "undefined" ? "no WebAssembly (node --jitless): only the JavaScript scan runs" : false;

function assertSameTables(wasm: Kallsyms, js: Kallsyms, probes: bigint[], what: string): void {
  assert.equal(wasm.size, js.size, `${what}: size`);
  for (const a of probes) {
    assert.deepEqual(wasm.lookup(a), js.lookup(a), `${what}: lookup ${a.toString(16)}`);
    assert.equal(wasm.moduleOf(a), js.moduleOf(a), `${what}: module of ${a.toString(16)}`);
  }
  assert.deepEqual([...wasm.entries()], [...js.entries()], `${what}: entries`);
}

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
}

test("the scanner modules written out in BUILT_MODULES are the ones moduleBytes() builds", () => {
  for (const [simd, text] of [[true, BUILT_MODULES.simd], [false, BUILT_MODULES.plain]] as const) {
    const built = Buffer.from(moduleBytes(simd)).toString("base64");
    assert.equal(text, built, `BUILT_MODULES.${simd ? "simd" : "plain"} is out of date: it should be\n${built}`);
  }
});

test("the WebAssembly scanner is used where WebAssembly is on", { skip: noWasm }, () => {
  const text = Buffer.from("ffffffff81000000 T a\nffffffff81000010 t b\n", "latin1");
  const r = scanKallsymsWasm({ size: text.length, read: (into, at) => into.set(text.subarray(at, at + into.length)) });
  assert.ok(r !== undefined);
  assert.deepEqual([...r.lo], [0x81000000, 0x81000010]);
  assert.equal(r.hi, undefined);
  assert.deepEqual([...r.hiRuns], [0, 0xffffffff]);
  assert.deepEqual([...r.starts], [19, 40]);
  assert.equal(r.descended, false);
});

test("the high halves are kept where they change, or one per symbol when they change often", { skip: noWasm }, () => {
  const some = ["0000000000001000 D low", "0000000000001000 D low2", "0000000100000000 T mid", "ffffffff81000000 T a", "ffffffff81000010 t b", "ffffffff81000020 T c"].join("\n");
  const text = Buffer.from(some, "latin1");
  const r = scanKallsymsWasm({ size: text.length, read: (into, at) => into.set(text.subarray(at, at + into.length)) })!;
  assert.equal(r.hi, undefined);
  assert.deepEqual([...r.hiRuns], [0, 0, 2, 1, 3, 0xffffffff]);
  const [wasm, js] = bothScans(text);
  assertSameTables(wasm, js, [0x1000n, 0x1004n, 0x100000004n, 0xffffffff80000000n, 0xffffffff81000000n, 0xffffffff81000014n, 0xffffffff81000020n], "high-half runs");
  // More exceptions than are kept: scanned again with a high half per symbol.
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) lines.push(`${(0xffffffff81000000n + BigInt(i) * 16n).toString(16)} T f${i}`, `${(0x1000 + i * 16).toString(16)} D d${i}`);
  const many = Buffer.from(lines.join("\n"), "latin1");
  const m = scanKallsymsWasm({ size: many.length, read: (into, at) => into.set(many.subarray(at, at + into.length)) })!;
  assert.ok(m.hi !== undefined && m.hi.length === 10000);
  const [wasmMany, jsMany] = bothScans(many);
  assertSameTables(wasmMany, jsMany, [0xffffffff81000004n, 0x1004n, 0x2000n, 0xffffffff81013880n], "many exceptions");
});

test("the WebAssembly and JavaScript scans give the same table on odd and random lines", { skip: noWasm }, () => {
  const pick = rng(11);
  const choose = <T>(xs: T[]): T => xs[Math.floor(pick() * xs.length)]!;
  const hex = (n: number): string => Array.from({ length: n }, () => choose([..."0123456789abcdefABCDEF"])).join("");
  for (let round = 0; round < 40; round++) {
    const lines: string[] = [];
    const addrs: bigint[] = [];
    let next = round % 3 === 0 ? 0xc1000000n : 0xffffffff81000000n;
    for (let i = 0; i < 300; i++) {
      // Mostly ascending with ties; sometimes a jump back (an unsorted text), odd spacing and junk.
      const r = pick();
      if (r < 0.1) next -= BigInt(Math.floor(pick() * 0x4000));
      else if (r < 0.12) next = BigInt(Math.floor(pick() * 0x100000)); // a low address: another high half
      else if (r > 0.3) next += BigInt(Math.floor(pick() * 0x100));
      const a = next.toString(16);
      addrs.push(next, next + 1n, next - 1n);
      const name = choose(["fn_" + i, "$x", "a", "__x64_sys_read", "n\ttab", "sym" + i + "\t[mod" + (i % 3) + "]", "x\r"]);
      const type = choose(["T", "t", "A", "a", "d", "W", "b"]);
      lines.push(
        choose([
          `${a} ${type} ${name}`,
          `${a} ${type} ${name}`,
          ` \t${a} ${type} ${name}`,
          `${a}  ${type}\t ${name}`,
          `${a} ${type}${name}`,
          `${a} ${type}`,
          `${a} ${type} `,
          `${a}`,
          `${hex(20)} ${type} ${name}`,
          `${a.toUpperCase()} ${type} ${name}`,
          `zz${a} ${type} ${name}`,
          `${a}\t${type} ${name}`,
          "",
          " ",
        ]),
      );
    }
    const text = lines.join("\n") + (round % 2 === 0 ? "\n" : "");
    const [wasm, js] = bothScans(Buffer.from(text, "latin1"));
    assertSameTables(wasm, js, addrs.filter((_, i) => i % 5 === 0), `round ${round}`);
  }
});

test("the WebAssembly scan of a reader equals the JavaScript scan: lines across windows, one longer than the window", { skip: noWasm }, () => {
  const lines: string[] = [];
  for (let i = 0; i < 9000; i++) {
    const addr = (0xffffffff81000000n + BigInt(Math.floor(i / 3) * 16)).toString(16);
    lines.push(i === 4000 ? `${addr} T long_${"y".repeat(200000)}` : `${addr} T fn_${i}`);
  }
  const text = Buffer.from(lines.join("\n"), "latin1");
  const reader = { size: text.length, read: (into: Uint8Array, at: number) => into.set(text.subarray(at, at + into.length)) };
  const wasm = Kallsyms.parse(reader);
  Kallsyms.useWasm = false;
  const js = Kallsyms.parse(reader);
  js.size;
  Kallsyms.useWasm = true;
  const probes: bigint[] = [];
  for (let i = 0; i < 9000; i += 11) probes.push(0xffffffff81000000n + BigInt(Math.floor(i / 3) * 16) + BigInt(i % 2));
  assertSameTables(wasm, js, probes, "reader");
  // A name read from a reader past the first pieces read for it (the line's end is found when it is read).
  const long = `ffffffff82000000 T ${"z".repeat(5000)}\t[bigmod]\nffffffff82000100 T after`;
  const bytes = Buffer.from(long, "latin1");
  const k = Kallsyms.parse({ size: bytes.length, read: (into, at) => into.set(bytes.subarray(at, at + into.length)) });
  assert.equal(k.nameOf(0xffffffff82000004n), "z".repeat(5000));
  assert.equal(k.moduleOf(0xffffffff82000004n), "bigmod");
  assert.equal(k.nameOf(0xffffffff82000100n), "after");
  assert.equal(k.moduleOf(0xffffffff82000100n), "");
});

test("the WebAssembly and JavaScript scans agree on the fixtures' kallsyms", { skip: noWasm }, async (t) => {
  const shared = sharedDir();
  const file = shared === undefined ? undefined : join(shared, "fixtures", "tracedat", "lab-v6-x86_64-2cpu-funcgraph.dat");
  if (file === undefined || !existsSync(file)) return t.skip("../shared/fixtures/tracedat not found (set FTK_SHARED)");
  const { openTrace } = await import("../tracedat/index.js");
  const trace = await openTrace(file);
  const bytes = Buffer.from(trace.kallsyms, "latin1");
  await trace.close();
  const [wasm, js] = bothScans(bytes);
  const pick = rng(5);
  const probes = [...js.entries()].filter(() => pick() < 0.01).flatMap((e) => [e.addr, e.addr + 3n]);
  assertSameTables(wasm, js, probes, "lab-v6 funcgraph");
});

test("the WebAssembly scan finds line ends and addresses 16 bytes at a time (SIMD) as it does byte by byte", (t) => {
  if (typeof WebAssembly === "undefined") return t.skip("no WebAssembly (node --jitless)");
  const scan = (text: Buffer, simd: boolean): ScannedKallsyms => {
    scanOptions.simd = simd;
    try {
      return scanKallsymsWasm({ size: text.length, read: (into, at) => into.set(text.subarray(at, at + into.length)) })!;
    } finally {
      scanOptions.simd = true;
    }
  };
  const plain = (r: ScannedKallsyms) => ({ lo: [...r.lo], starts: [...r.starts], hiRuns: [...r.hiRuns], runStart: r.runStart, descended: r.descended });
  // Every newline position within a 16-byte load, modules after tabs, and texts that end mid-line at each
  // distance from the end; enough lines to cross the 64 kB window.
  const pick = rng(3);
  const lines: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const name = "n".repeat(i % 41) + (pick() < 0.3 ? "\t[m" + (i % 7) + "]" : "") + (pick() < 0.1 ? " \r" : "");
    lines.push(`${(0xffffffff81000000n + BigInt(i * 8)).toString(16)} ${pick() < 0.1 ? "a" : "T"} ${name}`);
  }
  const text = lines.join("\n");
  for (let cut = 0; cut < 40; cut++) {
    const bytes = Buffer.from(text.slice(0, text.length - cut), "latin1");
    assert.deepEqual(plain(scan(bytes, true)), plain(scan(bytes, false)), `cut ${cut}`);
  }
});
