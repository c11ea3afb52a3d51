// Seeded fuzz test of the whole `ftk report` path (style.md §8): small real trace.dat fixtures are
// truncated, bit-flipped, overwritten, zeroed and given wrong length fields, then run through
// main(["report", "-i", file]) in a worker thread that is terminated if a case takes over 5 s.
// Every case must exit 0 or 1 with a short stderr and no internal error or stack trace.
// Replay: FTK_FUZZ_SEED=<seed> FTK_FUZZ_CASE=<n> node --test dist/cli/report-fuzz.test.js
// (FTK_FUZZ_CASES=<count> changes the number of cases, FTK_FUZZ_SEED=random picks a new seed.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { mulberry32 } from "../test-support/prng.js";

/** Fixtures with few events (fast cases): v6 32/64-bit, several arches, bprint, [FAILED TO PARSE], v7 zstd. */
const FIXTURES = [
  "v6-i686-1cpu-funcgraph-irq.dat",
  "v6-i686-1cpu-listen-noopts.dat",
  "v6-i686-k5.15-sched-switch.dat",
  "v6-i686-4cpu-sched-wakeup.dat",
  "v6-armv7-1cpu-irq-softirq-gpio.dat",
  "v6-arm64-6cpu-sched-switch.dat",
  "v6-arm32-8cpu-thermal-cdev-bprint.dat",
  "v6-arm32-8cpu-thermal-actor-failparse.dat",
  "lab-v7-zstd-x86_64-2cpu-sched-kstack.dat",
  "lab-v7-zstd-x86_64-2cpu-kprobe-args.dat",
  "lab-v7-zstd-x86_64-2cpu-instance.dat",
];
const CASE_LIMIT_MS = 5000;
const MAX_STDERR_LINES = 8;
const DEFAULT_SEED = 0x5eed2026;
const DEFAULT_CASES = 2000;

interface WorkRequest {
  caseNo: number;
  path: string;
  debug: boolean;
}

interface WorkResult {
  caseNo: number;
  code: number | "threw";
  stderr: string;
  ms: number;
}

/** A Writable that keeps at most `limit` characters of what it is given. */
class Capture extends Writable {
  text = "";
  constructor(private readonly limit: number) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    if (this.text.length < this.limit) this.text += chunk.toString();
    done();
  }
}

/** Worker side: runs each requested case through the real CLI entry point and reports the outcome. */
async function serveCases(): Promise<void> {
  const { main } = await import("./main.js");
  // Library code that writes to process.stderr instead of the CLI's stderr is counted too.
  let current: Capture | undefined;
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    if (current && current.text.length < 64 * 1024) current.text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  parentPort!.on("message", (req: WorkRequest) => {
    void (async () => {
      const stderr = new Capture(64 * 1024);
      current = stderr;
      const stdout = new Capture(0);
      // Every fourth case goes through --profile (the per-task profile reads the same records).
      const argv = ["report", ...(req.caseNo % 4 === 3 ? ["--profile"] : []), "-i", req.path, ...(req.debug ? ["--debug"] : [])];
      const t0 = performance.now();
      let code: number | "threw";
      try {
        code = await main(argv, { stdout, stderr, env: {} });
      } catch (e) {
        code = "threw";
        stderr.text += `main() threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`;
      }
      const result: WorkResult = { caseNo: req.caseNo, code, stderr: stderr.text, ms: performance.now() - t0 };
      parentPort!.postMessage(result);
    })();
  });
  parentPort!.postMessage("ready");
}

/** The PRNG of one case, so that any case can be replayed alone. */
function caseRandom(seed: number, caseNo: number): () => number {
  return mulberry32((seed ^ Math.imul(caseNo + 1, 0x9e3779b9)) >>> 0);
}

/** Where the parts of a pristine fixture are: [0, headerEnd) header, then metadata, data from dataStart. */
interface FixtureLayout {
  name: string;
  bytes: Uint8Array;
  headerEnd: number;
  dataStart: number;
  /** Offsets of 8-byte section sizes found after known v6 section names. */
  lengthFields: number[];
  /** Offset of the v6 flyrecord per-CPU (offset, size) table, or -1. */
  cpuTable: number;
  cpus: number;
}

function indexOfText(bytes: Uint8Array, text: string, from = 0): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(text, from, "latin1");
}

function fixtureLayout(name: string, bytes: Uint8Array, dataStart: number, cpus: number): FixtureLayout {
  // magic (3) + "tracing" (7) + "6\0"/"7\0" + endian (1) + long size (1) + page size (4).
  let headerEnd = indexOfText(bytes, "\0", 10) + 1 + 6;
  if (bytes[10] === 0x37) {
    // v7: compression name and version strings, then the 8-byte offset of the first options section.
    headerEnd = indexOfText(bytes, "\0", headerEnd) + 1;
    headerEnd = indexOfText(bytes, "\0", headerEnd) + 1 + 8;
  }
  const lengthFields: number[] = [];
  for (const marker of ["header_page\0", "header_event\0"]) {
    const at = indexOfText(bytes, marker);
    if (at >= 0 && at < dataStart) lengthFields.push(at + marker.length);
  }
  const fly = indexOfText(bytes, "flyrecord\0");
  return {
    name,
    bytes,
    headerEnd,
    dataStart,
    lengthFields,
    cpuTable: bytes[10] === 0x36 && fly >= 0 && fly < dataStart ? fly + 10 : -1,
    cpus,
  };
}

/** True when a v6 options section after `from` has a BUFFER option (id 3), which holds file offsets. */
function hasBufferOption(bytes: Uint8Array, from: number): boolean {
  const start = indexOfText(bytes, "options  \0", from);
  if (start < 0) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = start + 10; p + 6 <= bytes.length; ) {
    const id = view.getUint16(p, true);
    if (id === 0) return false;
    if (id === 3) return true;
    p += 6 + view.getUint32(p + 2, true);
  }
  return true;
}

/**
 * A v6 fixture with most of its kallsyms text removed (whole pages, so the CPU data stays page
 * aligned; the flyrecord offsets move down by the same amount). Parsing ~1-2.5 MB of kallsyms is
 * most of the time of a short report; the fuzz wants many cases, not many symbols. Returns the
 * bytes unchanged when the layout is not the plain v6 one.
 */
function slimKallsyms(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[10] !== 0x36 || bytes[12] !== 0) return bytes;
  const pageSize = view.getUint32(14, true);
  let p = 18;
  const skip64 = (): void => {
    p += 8 + Number(view.getBigUint64(p, true));
  };
  p += "header_page\0".length;
  skip64();
  p += "header_event\0".length;
  skip64();
  const ftraceCount = view.getUint32(p, true);
  p += 4;
  for (let i = 0; i < ftraceCount; i++) skip64();
  const systems = view.getUint32(p, true);
  p += 4;
  for (let s = 0; s < systems; s++) {
    p = indexOfText(bytes, "\0", p) + 1;
    const n = view.getUint32(p, true);
    p += 4;
    for (let i = 0; i < n; i++) skip64();
  }
  const sizeAt = p;
  const size = view.getUint32(sizeAt, true);
  const textStart = sizeAt + 4;
  const textEnd = textStart + size;
  const fly = indexOfText(bytes, "flyrecord\0", textEnd);
  const remove = Math.floor((size - 32 * 1024) / pageSize) * pageSize;
  if (fly < 0 || remove <= 0 || hasBufferOption(bytes, textEnd)) return bytes;
  const keep = size - remove;
  const text = bytes.subarray(textStart, textStart + keep);
  const cut = text.lastIndexOf(0x0a) + 1;
  const out = new Uint8Array(bytes.length - remove);
  out.set(bytes.subarray(0, textStart));
  out.set(text.subarray(0, cut), textStart);
  out.fill(0x0a, textStart + cut, textStart + keep);
  out.set(bytes.subarray(textEnd), textStart + keep);
  const outView = new DataView(out.buffer);
  outView.setUint32(sizeAt, keep, true);
  // flyrecord table: per CPU an 8-byte file offset and an 8-byte size, up to the first data page.
  for (let e = fly - remove + 10; e + 16 <= out.length; e += 16) {
    const offset = Number(outView.getBigUint64(e, true));
    if (offset < textEnd || offset % pageSize !== 0) break;
    outView.setBigUint64(e, BigInt(offset - remove), true);
  }
  return out;
}

const INTERESTING = [0n, 1n, 0x7fn, 0xffn, 0x7fffn, 0xffffn, 0x7fffffffn, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn];

/** Applies 1-3 random mutations (truncation last) and returns the bytes and what was done. */
function mutate(f: FixtureLayout, rnd: () => number): { bytes: Uint8Array; what: string[] } {
  const int = (n: number): number => Math.floor(rnd() * n);
  const bytes = Uint8Array.from(f.bytes);
  const view = new DataView(bytes.buffer);
  const size = bytes.length;
  const what: string[] = [];
  const regions: [name: string, start: number, end: number][] = [
    ["header", 0, f.headerEnd],
    ["meta", f.headerEnd, f.dataStart],
    ["data", f.dataStart, size],
  ];
  const place = (): { region: string; at: number } => {
    const r = rnd();
    const [region, start, end] = regions[r < 0.15 ? 0 : r < 0.55 ? 1 : 2]!;
    return { region, at: start + int(Math.max(1, end - start)) };
  };
  const hex = (n: number): string => "0x" + n.toString(16);
  const putInteresting = (at: number, width: 4 | 8, old: bigint): string => {
    const choice = int(INTERESTING.length + 4);
    let v: bigint;
    if (choice < INTERESTING.length) v = INTERESTING[choice]!;
    else if (choice === INTERESTING.length) v = old + 1n;
    else if (choice === INTERESTING.length + 1) v = old - 1n;
    else if (choice === INTERESTING.length + 2) v = old * 2n;
    else v = BigInt(size + int(4096));
    v = BigInt.asUintN(width * 8, v);
    if (at + width > size) return "";
    if (width === 8) view.setBigUint64(at, v, true);
    else view.setUint32(at, Number(v), true);
    return `${hex(Number(old))}->${hex(Number(v))}`;
  };

  const ops = 1 + int(3);
  for (let i = 0; i < ops; i++) {
    const kind = int(8);
    const { region, at } = place();
    switch (kind) {
      case 0: {
        const bits = 1 + int(8);
        for (let b = 0; b < bits; b++) {
          const p = Math.min(size - 1, at + int(16));
          bytes[p]! ^= 1 << int(8);
        }
        what.push(`flip ${bits} bits ${region}@${hex(at)}`);
        break;
      }
      case 1: {
        const n = 1 + int(16);
        for (let p = at; p < Math.min(size, at + n); p++) bytes[p] = int(256);
        what.push(`overwrite ${n} bytes ${region}@${hex(at)}`);
        break;
      }
      case 2: {
        const n = 1 + int(rnd() < 0.5 ? 64 : 8192);
        bytes.fill(0, at, Math.min(size, at + n));
        what.push(`zero ${n} bytes ${region}@${hex(at)}`);
        break;
      }
      case 3: {
        // A known 8-byte section size, or any 4/8-byte word in the metadata.
        const known = f.lengthFields.length > 0 && rnd() < 0.5;
        const p = known ? f.lengthFields[int(f.lengthFields.length)]! : f.headerEnd + int(Math.max(1, f.dataStart - f.headerEnd));
        const width: 4 | 8 = known || rnd() < 0.5 ? 8 : 4;
        if (p + width > size) break;
        const old = width === 8 ? view.getBigUint64(p, true) : BigInt(view.getUint32(p, true));
        what.push(`length ${width} bytes @${hex(p)} ${putInteresting(p, width, old)}`);
        break;
      }
      case 4: {
        // Swap two words of the metadata (for example two sizes, or a size and an offset).
        const width = rnd() < 0.5 ? 4 : 8;
        const span = Math.max(1, f.dataStart - f.headerEnd - width);
        const a = f.headerEnd + int(span);
        const b = rnd() < 0.5 ? Math.min(f.dataStart - width, a + width * (1 + int(4))) : f.headerEnd + int(span);
        if (a < 0 || b < 0 || a + width > size || b + width > size) break;
        const tmp = bytes.slice(a, a + width);
        bytes.copyWithin(a, b, b + width);
        bytes.set(tmp, b);
        what.push(`swap ${width} bytes @${hex(a)} @${hex(b)}`);
        break;
      }
      case 5: {
        if (f.cpuTable < 0 || f.cpus === 0) {
          bytes[at] = int(256);
          what.push(`byte ${region}@${hex(at)}`);
          break;
        }
        // v6 flyrecord table: per CPU an 8-byte offset then an 8-byte size.
        const cpu = int(f.cpus);
        const entry = f.cpuTable + cpu * 16;
        if (rnd() < 0.3) {
          const tmp = bytes.slice(entry, entry + 8);
          bytes.copyWithin(entry, entry + 8, entry + 16);
          bytes.set(tmp, entry + 8);
          what.push(`cpu${cpu} swap offset/size`);
        } else {
          const p = entry + (rnd() < 0.5 ? 0 : 8);
          what.push(`cpu${cpu} ${p === entry ? "offset" : "size"} ${putInteresting(p, 8, view.getBigUint64(p, true))}`);
        }
        break;
      }
      case 7: {
        // A format file's field offset, size or signed flag rewritten (same length, other digits).
        const key = ["offset:", "size:", "signed:"][int(3)]!;
        const text = Buffer.from(bytes.buffer, bytes.byteOffset, f.dataStart);
        let p = text.indexOf(key, f.headerEnd + int(Math.max(1, f.dataStart - f.headerEnd)), "latin1");
        if (p < 0) p = text.indexOf(key, f.headerEnd, "latin1");
        if (p < 0) break;
        p += key.length;
        let digits = "";
        for (let q = p; bytes[q]! >= 0x30 && bytes[q]! <= 0x39; q++) digits += rnd() < 0.5 ? "9" : String(int(10));
        for (let i = 0; i < digits.length; i++) bytes[p + i] = digits.charCodeAt(i);
        what.push(`format ${key}${digits} @${hex(p)}`);
        break;
      }
      default: {
        // A whole page of data zeroed or filled with one byte value.
        const page = 4096;
        const start = f.dataStart + Math.floor(int(Math.max(1, size - f.dataStart)) / page) * page;
        const value = rnd() < 0.5 ? 0 : int(256);
        bytes.fill(value, start, Math.min(size, start + page));
        what.push(`page @${hex(start)} = ${hex(value)}`);
      }
    }
  }
  if (rnd() < 0.4) {
    const { region, at } = place();
    what.push(`truncate ${region}@${hex(at)}`);
    return { bytes: bytes.subarray(0, at), what };
  }
  return { bytes, what };
}

/** Runs cases on one worker at a time; a case over the limit terminates the worker and is a failure. */
class CaseRunner {
  private worker: Worker | undefined;
  private pending: { resolve: (r: WorkResult | string) => void } | undefined;
  private lastCase = -1;
  /** Worker deaths between cases (an error after the result was sent), with the case before them. */
  readonly late: string[] = [];

  private async start(): Promise<Worker> {
    const w = new Worker(new URL(import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 768 } });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        if (m === "ready") {
          w.off("error", reject);
          resolve();
        }
      };
      w.once("message", onMessage);
      w.once("error", reject);
    });
    w.on("message", (m: WorkResult) => {
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m);
    });
    const lost = (why: string): void => {
      if (this.worker !== w) return;
      this.worker = undefined;
      const p = this.pending;
      this.pending = undefined;
      if (p) p.resolve(why);
      else this.late.push(`after case ${this.lastCase}: ${why}`);
    };
    // An uncaught error in the worker may come from a timer left behind by the case before.
    w.on("error", (e) => lost(`worker error (this case or the one before): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    w.on("exit", (code) => lost(`worker exited with status ${code}`));
    return w;
  }

  /** The case's result, or a string saying why there is none (timeout, worker crash). */
  async run(req: WorkRequest): Promise<WorkResult | string> {
    const w = this.worker ?? (this.worker = await this.start());
    this.lastCase = req.caseNo;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const result = await new Promise<WorkResult | string>((resolve) => {
      this.pending = { resolve };
      timer = setTimeout(() => resolve(`no result after ${CASE_LIMIT_MS} ms`), CASE_LIMIT_MS);
      w.postMessage(req);
    });
    clearTimeout(timer);
    if (typeof result === "string") {
      this.pending = undefined;
      const dead = this.worker;
      this.worker = undefined;
      await dead?.terminate();
    } else if (performance.now() - t0 > CASE_LIMIT_MS) {
      return `took ${(performance.now() - t0).toFixed(0)} ms`;
    }
    return result;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.pending = undefined;
    await w?.terminate();
  }
}

/** Why a case result is not acceptable, or undefined when it is. */
function problem(r: WorkResult | string): string | undefined {
  if (typeof r === "string") return r;
  if (r.code !== 0 && r.code !== 1) return `exit status ${r.code}`;
  if (r.ms > CASE_LIMIT_MS) return `took ${r.ms.toFixed(0)} ms`;
  if (/internal error/.test(r.stderr)) return "internal error";
  if (/^\s+at .*(:\d+:\d+\)?|native\)?)$/m.test(r.stderr)) return "stack trace on stderr";
  const lines = r.stderr.split("\n").filter((l) => l.length > 0).length;
  if (lines > MAX_STDERR_LINES) return `${lines} lines on stderr`;
  return undefined;
}

function readSeed(): number {
  const env = process.env["FTK_FUZZ_SEED"];
  if (env === undefined || env === "") return DEFAULT_SEED;
  if (env === "random") return Math.floor(Math.random() * 2 ** 32);
  const n = Number(env);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new Error(`FTK_FUZZ_SEED must be an integer below 2^32 or 'random', not '${env}'`);
  return n;
}

/** A fixture for one case: v7 files weigh less, their cases are slow (large compressed kallsyms). */
function pickFixture(layouts: FixtureLayout[], rnd: () => number): FixtureLayout {
  const weight = (f: FixtureLayout): number => (f.bytes[10] === 0x37 ? 1 : 3);
  let r = rnd() * layouts.reduce((sum, f) => sum + weight(f), 0);
  for (const f of layouts) {
    r -= weight(f);
    if (r < 0) return f;
  }
  return layouts[layouts.length - 1]!;
}

/** Slimmed copies of the fixtures in `tmp`, with the offsets where their parts start. */
async function loadFixtures(tmp: string): Promise<FixtureLayout[]> {
  const { openTrace } = await import("../tracedat/index.js");
  const dir = join(sharedDir()!, "fixtures", "tracedat");
  const layouts: FixtureLayout[] = [];
  for (const name of FIXTURES) {
    const pristine = await openTrace(join(dir, name));
    const cpuCount = pristine.buffers[0]?.cpus.length ?? 0;
    await pristine.close();
    const bytes = slimKallsyms(new Uint8Array(readFileSync(join(dir, name))));
    const path = join(tmp, name);
    writeFileSync(path, bytes);
    const trace = await openTrace(path);
    // The slimmed file must still be the same trace (a broken slimming would only test errors).
    assert.equal(trace.buffers[0]?.cpus.length ?? 0, cpuCount, `${name}: slimmed copy lost CPUs`);
    const offsets = trace.buffers.flatMap((b) => b.cpus.filter((c) => c.size > 0).map((c) => c.fileOffset));
    const dataStart = offsets.length > 0 ? Math.min(...offsets) : Math.floor(bytes.length * 0.9);
    layouts.push(fixtureLayout(name, bytes, dataStart, cpuCount));
    await trace.close();
  }
  return layouts;
}

if (isMainThread) {
  const skip = skipWithoutShared();
  test("ftk report: mutated and truncated fixtures exit 0 or 1 quickly, without internal errors", { skip, timeout: 20 * 60_000 }, async (t) => {
    const seed = readSeed();
    const only = process.env["FTK_FUZZ_CASE"];
    const count = Number(process.env["FTK_FUZZ_CASES"] ?? DEFAULT_CASES);
    const caseNos = only !== undefined && only !== "" ? only.split(",").map(Number) : Array.from({ length: count }, (_, i) => i);
    t.diagnostic(`fuzz seed ${seed} (FTK_FUZZ_SEED), ${caseNos.length} cases`);
    console.log(`# report fuzz: seed ${seed}, ${caseNos.length} cases`);

    const tmp = mkdtempSync(join(tmpdir(), "ftk-fuzz-"));
    const workers = Math.max(1, Number(process.env["FTK_FUZZ_WORKERS"] ?? 2));
    const runners = Array.from({ length: workers }, () => new CaseRunner());
    const failures: string[] = [];
    let slowest = 0;
    let slowestCase = -1;
    const codes = new Map<string, number>();
    const t0 = performance.now();

    const runCase = async (runner: CaseRunner, layouts: FixtureLayout[], caseNo: number): Promise<void> => {
      const rnd = caseRandom(seed, caseNo);
      const fixture = pickFixture(layouts, rnd);
      const { bytes, what } = mutate(fixture, rnd);
      const path = join(tmp, `case-${caseNo}.dat`);
      writeFileSync(path, bytes);
      const r = await runner.run({ caseNo, path, debug: false });
      const why = problem(r);
      if (process.env["FTK_FUZZ_VERBOSE"]) {
        const res = typeof r === "string" ? r : `exit ${r.code} ${r.ms.toFixed(0)} ms ${r.stderr.split("\n")[0]}`;
        console.log(`# case ${caseNo} ${fixture.name}: ${what.join("; ")}: ${res}`);
      }
      if (typeof r !== "string") {
        codes.set(String(r.code), (codes.get(String(r.code)) ?? 0) + 1);
        if (r.ms > slowest) {
          slowest = r.ms;
          slowestCase = caseNo;
        }
      }
      if (why !== undefined) {
        // Run it again with --debug for the stack of an internal error.
        const again = why === "internal error" ? await runner.run({ caseNo, path, debug: true }) : r;
        const stderr = typeof again === "string" ? again : again.stderr;
        failures.push(
          `case ${caseNo} (${fixture.name}: ${what.join("; ")}): ${why}\n` +
            stderr.split("\n").slice(0, 20).map((l) => "    " + l).join("\n"),
        );
        const keep = process.env["FTK_FUZZ_KEEP"];
        if (keep) writeFileSync(join(keep, `fuzz-${seed}-${caseNo}.dat`), bytes);
      }
      rmSync(path, { force: true });
    };

    try {
      const layouts = await loadFixtures(tmp);
      let next = 0;
      await Promise.all(
        runners.map(async (runner) => {
          while (next < caseNos.length) await runCase(runner, layouts, caseNos[next++]!);
        }),
      );
    } finally {
      await Promise.all(runners.map((r) => r.close()));
      rmSync(tmp, { recursive: true, force: true });
    }
    for (const r of runners) failures.push(...r.late);
    const totalS = (performance.now() - t0) / 1000;
    const summary = `${caseNos.length} cases in ${totalS.toFixed(1)} s, exit codes ${JSON.stringify(Object.fromEntries(codes))}, slowest case ${slowestCase} ${slowest.toFixed(0)} ms`;
    t.diagnostic(summary);
    console.log(`# report fuzz: ${summary}`);
    if (failures.length > 0) {
      assert.fail(
        `${failures.length} of ${caseNos.length} fuzz cases failed (seed ${seed}); replay one with ` +
          `FTK_FUZZ_SEED=${seed} FTK_FUZZ_CASE=<n> node --test dist/cli/report-fuzz.test.js\n` +
          failures.slice(0, 15).join("\n"),
      );
    }
    // Cases that get through to the end of the report are the ones that reach the page decoder and
    // the event printer; if almost none do, the mutations only test the header checks.
    if (caseNos.length >= 200) assert.ok((codes.get("0") ?? 0) >= caseNos.length / 10, `too few cases exit 0: ${summary}`);
  });
} else {
  void serveCases();
}
