// Standard output written with write(2) where it is a file, a pipe or /dev/null: process.stdout's stream
// costs ~3-5 ms of a short command's start to build (issue 11). A terminal or a socket gets process.stdout
// as before, and so does the rest of the output once a write would block (a non-blocking pipe).
import { EventEmitter } from "node:events";
import type { Writable } from "node:stream";
import { fstatSync, writeSync } from "node:fs";

/** What TextOutput writes to: a Writable, or an FdWriter. */
export interface TextSink {
  /** A descriptor to write to directly while nothing is queued (writableLength 0). */
  readonly fd?: number;
  readonly writableLength: number;
  readonly writableNeedDrain?: boolean;
  /** True where the output is a terminal (colour). */
  readonly isTTY?: boolean;
  write(chunk: Uint8Array | string): boolean;
  on(event: "error" | "drain" | "close", listener: (...args: any[]) => void): unknown;
  off(event: "error" | "drain" | "close", listener: (...args: any[]) => void): unknown;
}

/** Major number of the memory devices (/dev/null, /dev/zero, /dev/full): written as a file is. */
const MEM_MAJOR = 1;

/**
 * Writes synchronously to `fd`; after a write that would block (EAGAIN), hands that write's rest and
 * everything after it to the stream that `fallback()` makes, whose events it passes on.
 */
export class FdWriter extends EventEmitter implements TextSink {
  readonly isTTY = false;
  private stream: Writable | undefined;

  constructor(
    readonly fd: number,
    private readonly fallback: () => Writable,
  ) {
    super();
  }

  get writableLength(): number {
    return this.stream?.writableLength ?? 0;
  }

  get writableNeedDrain(): boolean {
    return this.stream?.writableNeedDrain ?? false;
  }

  write(chunk: Uint8Array | string): boolean {
    if (this.stream !== undefined) return this.stream.write(chunk);
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") {
        this.emit("error", e);
        return true;
      }
    }
    const stream = (this.stream = this.fallback());
    for (const event of ["drain", "close", "error"]) stream.on(event, (...args: unknown[]) => this.emit(event, ...args));
    return stream.write(bytes.subarray(done));
  }
}

/**
 * Standard output for text: an FdWriter on descriptor 1 where it is a regular file, a pipe or a memory
 * device, else process.stdout (made only then).
 */
export function stdoutSink(): TextSink {
  try {
    const st = fstatSync(1);
    if (st.isFile() || st.isFIFO() || (st.isCharacterDevice() && Math.floor(st.rdev / 256) % 4096 === MEM_MAJOR)) {
      return new FdWriter(1, () => process.stdout);
    }
  } catch {
    // No descriptor 1 (closed): process.stdout knows what to do.
  }
  return process.stdout;
}
