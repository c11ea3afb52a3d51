// Per-CPU capture of trace_pipe_raw into temporary files (ring-buffer-and-events.md §3, style.md §7).
// Readers are non-blocking; the loop reads batches of pages and sleeps between rounds. The sleep adapts:
// it shrinks while the buffers fill fast (so nothing is overwritten) and grows back to the -s interval
// when they are quiet (so the file is not full of nearly empty pages).
import { open, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { TraceFileError, describeErrno } from "../base/index.js";
import type { CpuReader, Instance } from "../tracefs/index.js";

const BATCH_PAGES = 64;
const MIN_SLEEP_MS = 1;

/** One CPU of one instance being captured. */
interface CpuCapture {
  cpu: number;
  reader: CpuReader;
  file: FileHandle;
  path: string;
  bytes: number;
}

/** The capture of one instance. */
export interface InstanceCapture {
  instance: Instance;
  pageSize: number;
  /** Index = CPU: temp file path (undefined for CPUs without data). */
  cpuFiles: (string | undefined)[];
  cpuBytes: number[];
}

/** Temporary file name of a CPU, like trace-cmd's `<output>.cpuN` / `<output>.<instance>.cpuN`. */
export function cpuTempPath(output: string, instance: string, cpu: number): string {
  return instance === "" ? `${output}.cpu${cpu}` : `${output}.${instance}.cpu${cpu}`;
}

/** Reads every CPU of the given instances into temp files until stopped. */
export class Capture {
  private readonly cpus: { capture: InstanceCapture; cpu: CpuCapture }[] = [];
  readonly instances: InstanceCapture[] = [];
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly maxSleepMs: number;
  private readonly buf: Uint8Array;
  private pageSize = 4096;

  private constructor(maxSleepMs: number, pageSize: number) {
    this.maxSleepMs = maxSleepMs;
    this.pageSize = pageSize;
    this.buf = new Uint8Array(BATCH_PAGES * pageSize);
  }

  /**
   * Opens the readers and temp files. Temp files are created first, so an unwritable output fails
   * before any reader is open. Call close() (or finish()) in every case.
   */
  static async open(instances: readonly Instance[], output: string, options: { maxSleepMs: number }): Promise<Capture> {
    const pageSize = instances.length > 0 ? await instances[0]!.pageSize() : 4096;
    const c = new Capture(options.maxSleepMs, pageSize);
    try {
      for (const inst of instances) {
        const cap: InstanceCapture = { instance: inst, pageSize: await inst.pageSize(), cpuFiles: [], cpuBytes: [] };
        c.instances.push(cap);
        for (let cpu = 0; cpu < inst.cpuCount(); cpu++) {
          const path = cpuTempPath(output, inst.name, cpu);
          let file: FileHandle;
          try {
            file = await open(path, "w+");
          } catch (e) {
            throw new TraceFileError(`cannot write '${path}': ${describeErrno(e)}`, { path, cause: e });
          }
          cap.cpuFiles[cpu] = path;
          cap.cpuBytes[cpu] = 0;
          try {
            const reader = await inst.cpuReader(cpu);
            c.cpus.push({ capture: cap, cpu: { cpu, reader, file, path, bytes: 0 } });
          } catch (e) {
            await file.close();
            throw e;
          }
        }
      }
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  /** Starts the read loop (call after tracing is switched on, or before: an empty buffer reads nothing). */
  start(): void {
    this.loop ??= this.run();
  }

  private async readRound(): Promise<number> {
    let pages = 0;
    for (const { cpu } of this.cpus) {
      const n = await cpu.reader.read(this.buf, BATCH_PAGES);
      if (n > 0) {
        await writeAll(cpu.file, this.buf, n, cpu.bytes);
        cpu.bytes += n;
        pages = Math.max(pages, n / cpu.reader.pageSize);
      }
    }
    return pages;
  }

  private async run(): Promise<void> {
    let sleepMs = Math.min(10, this.maxSleepMs);
    while (!this.stopped) {
      const pages = await this.readRound();
      if (pages >= BATCH_PAGES) {
        sleepMs = MIN_SLEEP_MS;
        continue; // more is waiting
      }
      // Aim at rounds of about a quarter batch per CPU: fewer nearly empty (partial) pages.
      if (pages > BATCH_PAGES / 4) sleepMs = Math.max(MIN_SLEEP_MS, sleepMs / 2);
      else if (pages < BATCH_PAGES / 16) sleepMs = Math.min(this.maxSleepMs, sleepMs * 2);
      if (this.stopped) break;
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

  /** Stops the loop (tracing must already be off), drains every reader, and closes files and readers. */
  async finish(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    for (const { cpu } of this.cpus) {
      await cpu.reader.flush(async (page) => {
        await writeAll(cpu.file, page, page.length, cpu.bytes);
        cpu.bytes += page.length;
      });
    }
    for (const { capture, cpu } of this.cpus) {
      capture.cpuBytes[cpu.cpu] = cpu.bytes;
      if (cpu.bytes === 0) capture.cpuFiles[cpu.cpu] = undefined;
    }
    await this.close();
  }

  /** Closes readers and files (idempotent). */
  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    for (const { cpu } of this.cpus) {
      await cpu.reader.close().catch(() => undefined);
      await cpu.file.close().catch(() => undefined);
    }
  }

  /** Deletes the temp files. */
  async removeFiles(output: string): Promise<void> {
    for (const cap of this.instances) {
      for (let cpu = 0; cpu < cap.instance.cpuCount(); cpu++) await unlink(cpuTempPath(output, cap.instance.name, cpu)).catch(() => undefined);
    }
  }
}

async function writeAll(fh: FileHandle, buf: Uint8Array, n: number, position: number): Promise<void> {
  let done = 0;
  while (done < n) {
    const { bytesWritten } = await fh.write(buf, done, n - done, position + done);
    done += bytesWritten;
  }
}
