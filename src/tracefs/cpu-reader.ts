// Non-blocking reader of per_cpu/cpuN/trace_pipe_raw (tracefs-control.md §3.1, style.md §7): each read
// returns one whole sub-buffer; EAGAIN means empty, so no libuv pool thread ever sits in a blocking read.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { errnoOf, tracefsError } from "./io.js";

/** Reads whole sub-buffers of one CPU's ring buffer without blocking. */
export class CpuReader {
  readonly cpu: number;
  readonly pageSize: number;
  readonly #fh: FileHandle;
  readonly #rel: string;
  #closed = false;

  private constructor(fh: FileHandle, rel: string, cpu: number, pageSize: number) {
    this.#fh = fh;
    this.#rel = rel;
    this.cpu = cpu;
    this.pageSize = pageSize;
  }

  /** @internal Only for Instance.cpuReader(). Opens `path` (shown as `rel` in errors) with O_NONBLOCK. */
  static async open(path: string, rel: string, cpu: number, pageSize: number): Promise<CpuReader> {
    try {
      const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
      return new CpuReader(fh, rel, cpu, pageSize);
    } catch (e) {
      throw tracefsError("read", rel, e);
    }
  }

  /** Reads one sub-buffer into buf at pos; returns false when the buffer is empty (EAGAIN). */
  async #readPage(buf: Uint8Array, pos: number): Promise<boolean> {
    let n: number;
    try {
      n = (await this.#fh.read(buf, pos, this.pageSize, null)).bytesRead;
    } catch (e) {
      if (errnoOf(e) === "EAGAIN" || errnoOf(e) === "EWOULDBLOCK") return false;
      throw tracefsError("read", this.#rel, e);
    }
    if (n === 0) return false;
    if (n < this.pageSize) buf.fill(0, pos + n, pos + this.pageSize); // keep pages whole for the decoder
    return true;
  }

  /**
   * Reads up to maxPages whole sub-buffers into buf (page k at k * pageSize); returns the bytes read,
   * a multiple of pageSize, or 0 when nothing is buffered.
   */
  async read(buf: Uint8Array, maxPages: number): Promise<number> {
    const pages = Math.min(maxPages, Math.floor(buf.length / this.pageSize));
    let k = 0;
    while (k < pages && (await this.#readPage(buf, k * this.pageSize))) k++;
    return k * this.pageSize;
  }

  /**
   * After tracing stops: reads everything left, including the partly filled page, and hands each page
   * to sink. The page view is valid only until sink returns (the buffer is reused).
   */
  async flush(sink: (page: Uint8Array) => Promise<void> | void): Promise<void> {
    const page = new Uint8Array(this.pageSize);
    while (await this.#readPage(page, 0)) await sink(page);
  }

  /** Closes the file; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fh.close();
  }
}
