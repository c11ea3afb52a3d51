// Seeded fuzzing of openTrace() and the record streams (style.md §8): small real fixtures are truncated
// and mutated; every failure must be a TraceFileError, and no case may take more than 5 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TraceFileError } from "../base/index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { mulberry32 } from "../test-support/prng.js";
import { RecordMerger, openTrace } from "./index.js";
import { dataPage, strPayload, v6, v7 } from "./synthetic-trace.js";

/** Override with FTK_FUZZ_SEED to explore further; the default keeps runs reproducible. */
const SEED = Number(process.env["FTK_FUZZ_SEED"] ?? 0x5eed1234);
const CASES_PER_FIXTURE = 400;
const CASES_PER_SYNTHETIC = 150;
const MAX_RECORDS_PER_CASE = 1500;
const MAX_CASE_MS = 5000;
/** Small real fixtures: v6 (32-bit, little endian, options), v7 zstd and a v7 instance (plus syntheticCorpus()). */
const FIXTURES = [
  "v6-i686-1cpu-funcgraph-irq.dat",
  "v6-i686-1cpu-listen-noopts.dat",
  "v6-i686-k5.15-sched-switch.dat",
  "lab-v7-zstd-x86_64-2cpu-kprobe-args.dat",
  "lab-v7-zstd-x86_64-2cpu-instance.dat",
];

/** Synthetic files for what the fixtures lack: big endian, 4-byte longs, zlib, v6 instances, many chunks. */
function syntheticCorpus(): { name: string; bytes: Uint8Array }[] {
  const pages = (le: boolean, longSize: 4 | 8, n: number, base: number): Uint8Array[] =>
    Array.from({ length: n }, (_, i) => dataPage(le, longSize, base + 1000 * i, [{ delta: 1, id: 1, pid: i }, { delta: 2, id: 2, pid: i }]));
  const clock = { id: 4, payload: strPayload("[global]") };
  return [
    {
      name: "synthetic-v6-be-4.dat",
      bytes: v6({ le: false, longSize: 4, cpus: [{ pages: pages(false, 4, 3, 0) }, { pages: pages(false, 4, 2, 5) }], options: [clock], clockBlock: "[global]", instance: { name: "i", cpus: [{ pages: pages(false, 4, 2, 7) }, { pages: [] }] } }),
    },
    {
      name: "synthetic-v7-be-zlib.dat",
      bytes: v7({ le: false, longSize: 8, compression: "zlib", cpus: [{ pages: pages(false, 8, 12, 0) }], options: [clock], instance: { name: "i", cpus: [{ pages: pages(false, 8, 3, 1) }] } }),
    },
    { name: "synthetic-v7-le-zstd.dat", bytes: v7({ le: true, longSize: 8, compression: "zstd", cpus: [{ pages: pages(true, 8, 25, 0) }, { pages: pages(true, 8, 11, 3) }] }) },
  ];
}

/** File offsets worth hitting: the header, and the start of every CPU's data. */
async function hotSpots(path: string): Promise<number[]> {
  const t = await openTrace(path, { onWarning: () => undefined });
  const spots = [0, 18, 40];
  for (const b of t.buffers) for (const c of b.cpus) spots.push(c.fileOffset, c.fileOffset + 8, c.fileOffset + 16);
  await t.close();
  return spots;
}

/** One mutated copy of `orig`: truncated, bytes flipped, or words set to extreme values. */
function mutate(orig: Uint8Array, spots: number[], rnd: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rnd() * n);
  const near = (): number => {
    const r = rnd();
    if (r < 0.3) return pick(orig.length);
    if (r < 0.6) return pick(Math.min(orig.length, 8192));
    return Math.max(0, Math.min(orig.length - 1, spots[pick(spots.length)]! + pick(4096) - 64));
  };
  const kind = pick(4);
  if (kind === 0) return orig.slice(0, near());
  const out = orig.slice();
  const edits = 1 + pick(8);
  for (let i = 0; i < edits; i++) {
    const at = near();
    if (kind === 1) out[at] = pick(256);
    else if (kind === 2) out[at] ^= 1 << pick(8);
    else {
      const v = [0, 0xff, 0x7f, 0x80, 0x01][pick(5)]!;
      out.fill(v, at, Math.min(out.length, at + [1, 2, 4, 8][pick(4)]!));
    }
  }
  if (rnd() < 0.2) return out.slice(0, near());
  return out;
}

/** Opens and reads up to MAX_RECORDS_PER_CASE records of every buffer; returns the number read. */
async function readCase(path: string): Promise<number> {
  const t = await openTrace(path, { onWarning: () => undefined });
  try {
    const slots = [];
    for (let b = 0; b < t.buffers.length; b++) {
      for (let cpu = 0; cpu < t.cpus; cpu++) slots.push({ stream: t.cpuStream(b, cpu), fileIndex: 0, bufferIndex: b });
    }
    const merger = new RecordMerger(slots);
    let n = 0;
    while (n < MAX_RECORDS_PER_CASE) {
      const r = await merger.next();
      if (r === undefined) break;
      assert.ok(r.rec.pos >= 0 && r.rec.pos + r.rec.len <= r.rec.buf.length, "record outside its buffer");
      n++;
    }
    return n;
  } finally {
    await t.close();
  }
}

test("openTrace() and its streams fail only with TraceFileError on mutated and truncated fixtures", { skip: skipWithoutShared() }, async () => {
  const dir = join(sharedDir()!, "fixtures", "tracedat");
  const present = FIXTURES.filter((f) => existsSync(join(dir, f)));
  assert.ok(present.length > 0, "none of the fuzz fixtures is present");
  const tmp = mkdtempSync(join(tmpdir(), "ftk-fuzz-"));
  const rnd = mulberry32(SEED);
  let cases = 0;
  let failures = 0;
  let slowest = 0;
  const corpus = [
    ...present.map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))), cases: CASES_PER_FIXTURE })),
    ...syntheticCorpus().map((c) => ({ ...c, cases: CASES_PER_SYNTHETIC })),
  ];
  try {
    for (const { name, bytes: orig, cases: n } of corpus) {
      const path = join(tmp, name);
      writeFileSync(path, orig);
      const spots = await hotSpots(path);
      for (let i = 0; i < n; i++) {
        writeFileSync(path, mutate(orig, spots, rnd));
        const t0 = performance.now();
        try {
          await readCase(path);
        } catch (e) {
          failures++;
          if (!(e instanceof TraceFileError)) {
            const keep = join(tmpdir(), "ftk-fuzz-failure.dat");
            writeFileSync(keep, readFileSync(path));
            assert.fail(`${name} case ${i} (kept as ${keep}): ${(e as Error)?.stack ?? String(e)}`);
          }
          assert.ok(!e.message.includes("\n"), `multi-line message: ${e.message}`);
          assert.ok(e.message.startsWith(`cannot read '${path}'`), `message does not name the file: ${e.message}`);
        }
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        assert.ok(ms < MAX_CASE_MS, `${name} case ${i} took ${ms.toFixed(0)} ms`);
        cases++;
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.ok(cases >= 2000 || present.length < FIXTURES.length, `only ${cases} cases`);
  assert.ok(failures > 0, "no mutation was detected: the fuzzer does not reach the structure");
  console.log(`# fuzz: ${cases} cases, ${failures} TraceFileErrors, slowest ${slowest.toFixed(0)} ms`);
});
