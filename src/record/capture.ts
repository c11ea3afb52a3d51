// Per-CPU capture of trace_pipe_raw into temporary files (ring-buffer-and-events.md §3, style.md §7).
// The pipes are opened O_NONBLOCK and read synchronously on the main thread: a read never blocks (an
// empty buffer gives EAGAIN), and skipping the libuv pool hop per page halves the recorder's CPU cost.
// Between rounds the loop sleeps until the busiest buffer should be about 2% full (at 10% a dd flood
// overran the 1.4 MB buffer between rounds on 2 cores; bench/record.mjs), and each
// round reads only the pages the kernel has finished (from `bytes` in per_cpu/cpuN/stats), so the
// file does not fill up with the nearly empty page the kernel is writing.
import { closeSync, constants, openSync, readFileSync, readSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { TraceFileError, TracefsError, describeErrno } from "../base/index.js";
import type { Instance } from "../tracefs/index.js";

const BATCH_PAGES = 64;
const MIN_SLEEP_MS = 1;
/** Fraction of a CPU buffer we let fill between two rounds. */
const TARGET_FILL = 0.02;
/** Page header: u64 timestamp + commit (8 on 64-bit kernels). */
const PAGE_HEADER_BYTES = 16;

/** One CPU of one instance being captured. */
interface CpuCapture {
  cpu: number;
  /** trace_pipe_raw, O_NONBLOCK. */
  pipeFd: number;
  statsPath: string;
  /** per_cpu/cpuN/stats kept open (-1 until opened, -2 when it cannot be): a re-read at offset 0 is fresh. */
  statsFd: number;
  fileFd: number;
  bytes: number;
}

/** The capture of one instance. */
export interface InstanceCapture {
  instance: Instance;
  pageSize: number;
  /** Index = CPU: temp file path (undefined for CPUs without data once finished). */
  cpuFiles: (string | undefined)[];
  cpuBytes: number[];
}

/** Receives pages instead of a temp file (live streaming); the view is valid only during the call. */
export type PageSink = (capture: InstanceCapture, cpu: number, pages: Uint8Array) => void;

/** Temporary file name of a CPU, like trace-cmd's `<output>.cpuN` / `<output>.<instance>.cpuN`. */
export function cpuTempPath(output: string, instance: string, cpu: number): string {
  return instance === "" ? `${output}.cpu${cpu}` : `${output}.${instance}.cpu${cpu}`;
}

function isEagain(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "EAGAIN" || code === "EWOULDBLOCK";
}

/** Reads whole pages from a non-blocking trace_pipe_raw fd into buf; returns the bytes read. */
function readPages(fd: number, buf: Uint8Array, pageSize: number, maxPages: number): number {
  let pages = 0;
  while (pages < maxPages) {
    const pos = pages * pageSize;
    let n: number;
    try {
      n = readSync(fd, buf, pos, pageSize, null);
    } catch (e) {
      if (isEagain(e)) break;
      throw new TracefsError(`cannot read 'trace_pipe_raw': ${describeErrno(e)}`, { code: (e as NodeJS.ErrnoException).code ?? "error", cause: e });
    }
    if (n === 0) break;
    if (n < pageSize) buf.fill(0, pos + n, pos + pageSize);
    pages++;
  }
  return pages * pageSize;
}

function writeAll(fd: number, buf: Uint8Array, n: number, position: number): void {
  let done = 0;
  while (done < n) done += writeSync(fd, buf, done, n - done, position + done);
}

/**
 * Puts a wrapped CPU file (-m) back in time order: the oldest page is at `start`, so the file becomes
 * [start, size) followed by [0, start).
 */
function unwrapFile(path: string, size: number, start: number): void {
  const data = readFileSync(path);
  const fd = openSync(path, "w");
  try {
    writeAll(fd, data.subarray(start, size), size - start, 0);
    writeAll(fd, data.subarray(0, start), start, size - start);
  } finally {
    closeSync(fd);
  }
}

/** Reads every CPU of the given instances into temp files until stopped. */
export class Capture {
  private readonly cpus: { capture: InstanceCapture; cpu: CpuCapture }[] = [];
  readonly instances: InstanceCapture[] = [];
  private stopped = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly maxSleepMs: number;
  private readonly buf: Uint8Array;
  /** Smallest per-CPU buffer of the captured instances, in bytes. */
  private bufferBytes = Infinity;
  private readonly sink: PageSink | undefined;
  /** -m: keep at most this many bytes per CPU, the newest (the file is written as a ring). */
  private maxBytes = Infinity;
  /**
   * Called after each round of reads in sink mode (stream prints what it collected); `complete` when the
   * round also read the page each CPU is writing, so that everything stamped before it began has been read.
   * It returns true when it has work left: the next round then comes without sleeping.
   */
  onRoundEnd: ((complete: boolean, clockNs: number | undefined) => boolean | void) | undefined;
  /** The earliest `now ts` (trace clock, ns, truncated to us) the CPUs' stats showed this round; NaN when unknown. */
  private roundClockNs = NaN;
  /**
   * Sink mode: read the pages being written only this often (ms; 0 = every round). Each such read hands the
   * kernel's page over half full, which costs the writer; a flood is read in whole pages in between.
   */
  partialEveryMs = 0;
  private lastPartial = -Infinity;
  /**
   * Sink mode: where to read the next pages (at least `bytes` long), so that the sink need not copy them;
   * the pages then reach the sink as a view of that memory. Default: a buffer of the capture's own.
   */
  pageRoom: ((bytes: number) => Uint8Array) | undefined;

  private constructor(maxSleepMs: number, pageSize: number, sink: PageSink | undefined) {
    this.maxSleepMs = maxSleepMs;
    this.buf = new Uint8Array(BATCH_PAGES * pageSize);
    this.sink = sink;
  }

  /**
   * Creates the temp files (or, with a sink, none) and opens the pipes. Call finish() or close() in
   * every case. With a sink every round reads all pages, partial ones included, for a live view.
   */
  static async open(
    instances: readonly Instance[],
    output: string | PageSink,
    options: { maxSleepMs: number; maxKbPerCpu?: number },
  ): Promise<Capture> {
    let maxPage = 4096;
    for (const inst of instances) maxPage = Math.max(maxPage, await inst.pageSize());
    const c = new Capture(options.maxSleepMs, maxPage, typeof output === "string" ? undefined : output);
    if (options.maxKbPerCpu !== undefined) c.maxBytes = Math.max(2, Math.floor((options.maxKbPerCpu * 1024) / maxPage)) * maxPage;
    try {
      for (const inst of instances) {
        const cap: InstanceCapture = { instance: inst, pageSize: await inst.pageSize(), cpuFiles: [], cpuBytes: [] };
        c.instances.push(cap);
        c.bufferBytes = Math.min(c.bufferBytes, (await inst.bufferSizeKb()) * 1024);
        for (let cpu = 0; cpu < inst.cpuCount(); cpu++) {
          let fileFd = -1;
          if (typeof output === "string") {
            const path = cpuTempPath(output, inst.name, cpu);
            try {
              fileFd = openSync(path, "w");
            } catch (e) {
              throw new TraceFileError(`cannot write '${path}': ${describeErrno(e)}`, { path, cause: e });
            }
            cap.cpuFiles[cpu] = path;
          }
          cap.cpuBytes[cpu] = 0;
          const rel = `per_cpu/cpu${cpu}`;
          let pipeFd: number;
          try {
            pipeFd = openSync(join(inst.path, rel, "trace_pipe_raw"), constants.O_RDONLY | constants.O_NONBLOCK);
          } catch (e) {
            if (fileFd >= 0) closeSync(fileFd);
            throw new TracefsError(`cannot read '${inst.rel(`${rel}/trace_pipe_raw`)}': ${describeErrno(e)}`, { code: "open", cause: e });
          }
          c.cpus.push({ capture: cap, cpu: { cpu, pipeFd, statsPath: join(inst.path, rel, "stats"), statsFd: -1, fileFd, bytes: 0 } });
        }
      }
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  /** Starts the read loop. */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Pages to read from a CPU's buffer this round: the finished ones, less one (the one the kernel may be
   * writing); with a sink one more, that one as far as it is written. Reading until EAGAIN instead never
   * ends while a syscall flood runs: each read takes the few records written since the last one.
   */
  private fullPages(capture: InstanceCapture, cpu: CpuCapture, partial: boolean): number {
    return this.finishedPages(capture, cpu) + (partial ? 2 : 0);
  }

  private finishedPages(capture: InstanceCapture, cpu: CpuCapture): number {
    const text = this.readStats(cpu);
    if (text === undefined) {
      this.roundClockNs = NaN;
      return BATCH_PAGES;
    }
    // "now ts: S.UUUUUU": the trace clock as this (reading) CPU sees it; the round's earliest is its start.
    const now = /^now ts:\s*(\d+)\.(\d{6})$/m.exec(text);
    const ns = now === null ? NaN : Number(now[1]) * 1e9 + Number(now[2]) * 1e3;
    if (Number.isNaN(ns) || ns < this.roundClockNs) this.roundClockNs = ns; // NaN (unknown) sticks
    const m = /^bytes:\s*(\d+)/m.exec(text);
    if (m === null) return BATCH_PAGES;
    return Math.floor(Number(m[1]) / (capture.pageSize - PAGE_HEADER_BYTES)) - 1;
  }

  /** The CPU's stats, read through a descriptor kept open (opening the file each round cost ~20x the read). */
  private readStats(cpu: CpuCapture): string | undefined {
    try {
      if (cpu.statsFd === -1) cpu.statsFd = openSync(cpu.statsPath, "r");
      if (cpu.statsFd >= 0) {
        const n = readSync(cpu.statsFd, this.statsBuf, 0, this.statsBuf.length, 0);
        if (n < this.statsBuf.length) return this.statsBuf.toString("latin1", 0, n);
      }
    } catch {
      if (cpu.statsFd >= 0) closeSync(cpu.statsFd);
      cpu.statsFd = -2;
    }
    try {
      return readFileSync(cpu.statsPath, "latin1");
    } catch {
      return undefined;
    }
  }

  private readonly statsBuf = Buffer.alloc(4096);

  private store(capture: InstanceCapture, cpu: CpuCapture, n: number, buf = this.buf): void {
    if (this.sink !== undefined) this.sink(capture, cpu.cpu, buf.subarray(0, n));
    else if (this.maxBytes === Infinity) writeAll(cpu.fileFd, this.buf, n, cpu.bytes);
    else {
      // Ring of maxBytes (whole pages): a batch may wrap around the end.
      let done = 0;
      while (done < n) {
        const at = (cpu.bytes + done) % this.maxBytes;
        const part = Math.min(n - done, this.maxBytes - at);
        writeAll(cpu.fileFd, this.buf.subarray(done), part, at);
        done += part;
      }
    }
    cpu.bytes += n;
  }

  /** Drains the finished pages of every CPU; returns the most bytes one CPU had waiting. */
  private readRound(partial: boolean): number {
    let most = 0;
    this.roundClockNs = Infinity;
    for (const { capture, cpu } of this.cpus) {
      let want = this.fullPages(capture, cpu, partial);
      let got = 0;
      while (want > 0) {
        const pages = Math.min(BATCH_PAGES, want);
        const buf = this.pageRoom?.(pages * capture.pageSize) ?? this.buf;
        const n = readPages(cpu.pipeFd, buf, capture.pageSize, pages);
        if (n === 0) break;
        this.store(capture, cpu, n, buf);
        got += n;
        want -= n / capture.pageSize;
      }
      // What was waiting: the pages read, plus the unfinished one left behind (file mode).
      most = Math.max(most, got + (this.sink === undefined ? capture.pageSize : 0));
    }
    return most;
  }

  private async run(): Promise<void> {
    let last = performance.now();
    while (!this.stopped) {
      const partial = this.sink !== undefined && performance.now() - this.lastPartial >= this.partialEveryMs;
      if (partial) this.lastPartial = performance.now();
      const waiting = this.readRound(partial);
      const now = performance.now();
      const rate = waiting / Math.max(now - last, 0.1); // bytes per ms on the busiest CPU
      last = now;
      // A sink with work left (decoding behind) is given the time at once, between reads.
      const clockNs = this.roundClockNs >= 0 && this.roundClockNs < Infinity ? this.roundClockNs : undefined;
      const busy = this.sink !== undefined && this.onRoundEnd?.(partial, clockNs) === true;
      const sleepMs = Math.min(this.maxSleepMs, Math.max(MIN_SLEEP_MS, rate > 0 ? (this.bufferBytes * TARGET_FILL) / rate : this.maxSleepMs));
      if (this.stopped) break;
      if (busy) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, sleepMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Stops the loop (tracing must already be off), drains every pipe including partial pages, closes. */
  async finish(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    for (const { capture, cpu } of this.cpus) {
      for (;;) {
        const buf = this.pageRoom?.(BATCH_PAGES * capture.pageSize) ?? this.buf;
        const n = readPages(cpu.pipeFd, buf, capture.pageSize, BATCH_PAGES);
        if (n === 0) break;
        this.store(capture, cpu, n, buf);
      }
      capture.cpuBytes[cpu.cpu] = Math.min(cpu.bytes, this.maxBytes);
      if (cpu.bytes === 0) capture.cpuFiles[cpu.cpu] = undefined;
    }
    this.onRoundEnd?.(true, undefined);
    await this.close();
    for (const { capture, cpu } of this.cpus) {
      const path = capture.cpuFiles[cpu.cpu];
      if (path !== undefined && cpu.bytes > this.maxBytes) unwrapFile(path, this.maxBytes, cpu.bytes % this.maxBytes);
    }
  }

  /** Closes pipes and files (idempotent). */
  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.closed) return;
    this.closed = true;
    for (const { cpu } of this.cpus) {
      const statsFd = cpu.statsFd;
      cpu.statsFd = -2;
      for (const fd of [cpu.pipeFd, cpu.fileFd, statsFd].filter((f) => f >= 0)) {
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
      }
    }
  }

  /** Deletes the temp files. */
  removeFiles(output: string): void {
    for (const cap of this.instances) {
      for (let cpu = 0; cpu < cap.instance.cpuCount(); cpu++) {
        try {
          unlinkSync(cpuTempPath(output, cap.instance.name, cpu));
        } catch {
          // never created or already gone
        }
      }
    }
  }
}
