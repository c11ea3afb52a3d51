// Buffered text output to a stream: latin1 text (one char per kernel byte) or UTF-8 collected in a byte
// buffer and written in ~256 KiB chunks. Hot loops may write bytes straight into the buffer (room()), which
// saves the string concatenation and the string-to-Buffer copy of a report's ~100 MB of text.
import { writeSync } from "node:fs";
import type { TextSink } from "./fd-writer.js";

/**
 * Bytes per write: 256 KiB, not the usual 64 KiB (style.md §7), because a write costs 10-30 µs here
 * whatever its size (a report of 200 MB made 3000 writes of 64 KiB, ~90 ms of the run).
 */
const CHUNK_BYTES = 256 * 1024;
/** Texts and byte arrays up to this length are copied by a JS loop; longer ones by one native call. */
const SHORT_TEXT = 16;
/** Spare buffers kept for reuse once the stream is done with them (fresh memory costs page faults). */
const SPARE_BUFFERS = 4;

/** Copies bytes to buf[at]; returns the end. A loop for a few bytes: TypedArray#set costs ~25 ns a call. */
export function putBytes(buf: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > SHORT_TEXT) {
    buf.set(bytes, at);
    return at + n;
  }
  for (let i = 0; i < n; i++) buf[at + i] = bytes[i]!;
  return at + n;
}

/** Buffer's own UTF-8 writer where it has one (Node 20-24): write() checks its arguments first, per call. */
const utf8Write: (this: Buffer, text: string, offset: number) => number =
  (Buffer.prototype as unknown as { utf8Write?: (this: Buffer, text: string, offset: number) => number }).utf8Write ??
  function (this: Buffer, text: string, offset: number): number {
    return this.write(text, offset);
  };

/** Collects report text and writes it to `stream` in large latin1 chunks, honouring backpressure. */
export class TextOutput {
  /** The bytes not yet written are buf[0, at); see room(). */
  buf: Buffer;
  at = 0;
  private closed = false;
  private readonly capacity: number;
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly stream: TextSink,
    private readonly chunkChars = CHUNK_BYTES,
  ) {
    // Headroom over one chunk, so that callers that flush after each chunk rarely spill mid-line.
    this.capacity = Math.max(chunkChars * 2, 4096);
    this.buf = Buffer.allocUnsafeSlow(this.capacity);
    stream.on("error", (e: NodeJS.ErrnoException) => {
      // `ftk report | head` closes the pipe: stop quietly.
      if (e.code === "EPIPE") this.closed = true;
    });
  }

  /** True once the reader has gone away (EPIPE); producers should stop. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Appends text (latin1: chars above 0xff lose their high bits); call `maybeFlush()` now and then. */
  write(text: string): void {
    const n = text.length;
    if (n > this.buf.length - this.at) this.spill(n);
    if (n <= SHORT_TEXT) {
      const buf = this.buf;
      let at = this.at;
      for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
      this.at = at;
    } else {
      this.at += this.buf.write(text, this.at, n, "latin1");
    }
  }

  /** Appends text as UTF-8 (strace-style lines, whose strings are the program's own). */
  writeUtf8(text: string): void {
    // At most 3 bytes per UTF-16 unit.
    this.at += utf8Write.call(this.room(3 * text.length), text, this.at);
  }

  /** Appends bytes. */
  writeBytes(bytes: Uint8Array): void {
    this.at = putBytes(this.room(bytes.length), this.at, bytes);
  }

  /**
   * Makes room for `n` more bytes and returns the buffer: the caller writes from `at` on and then moves
   * `at` past what it wrote (at most n bytes). The buffer may change at every call.
   */
  room(n: number): Buffer {
    if (n > this.buf.length - this.at) this.spill(n);
    return this.buf;
  }

  /** True when a chunk or more is buffered: time to flush(). */
  get full(): boolean {
    return this.at >= this.chunkChars;
  }

  /** Writes the buffered text if it is larger than one chunk. */
  async maybeFlush(): Promise<void> {
    if (this.at >= this.chunkChars) await this.flush();
  }

  /** Writes all buffered text and waits for drain if the stream asks for it. */
  async flush(): Promise<void> {
    if (!this.flushNow()) await this.drained();
  }

  /** Writes all buffered text without waiting; false when the stream asks the writer to wait for 'drain'. */
  flushNow(): boolean {
    const chunk = this.take();
    if (chunk === undefined) return true;
    return this.write_(chunk) && this.stream.writableNeedDrain !== true;
  }

  /** The buffered bytes, handed over with a fresh buffer (the stream may keep the old one queued). */
  private take(): Buffer | undefined {
    if (this.at === 0 || this.closed) {
      this.at = 0;
      return undefined;
    }
    const chunk = this.buf.subarray(0, this.at);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafeSlow(this.capacity);
    this.at = 0;
    return chunk;
  }

  /**
   * Writes a chunk: straight to the stream's file descriptor when it has one and nothing queued (stdout,
   * stderr, a file stream), after which the buffer is free again; else through the stream, which may keep
   * it (tests collect chunks). A stream's queue would also hold every chunk while a live producer is busy.
   */
  private write_(chunk: Buffer): boolean {
    const stream = this.stream;
    const fd = stream.fd;
    if (typeof fd !== "number" || stream.writableLength !== 0) return stream.write(chunk);
    let done = 0;
    try {
      while (done < chunk.length) done += writeSync(fd, chunk, done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") {
        // `ftk report | head` closes the pipe: stop quietly.
        this.closed = true;
        return true;
      }
      // EAGAIN (a non-blocking pipe) and the like: the stream takes the rest.
      return stream.write(chunk.subarray(done));
    }
    if (chunk.buffer.byteLength === this.capacity && this.spare.length < SPARE_BUFFERS) this.spare.push(Buffer.from(chunk.buffer));
    return true;
  }

  /** A write larger than the free space: pass what is buffered on now (flush() waits for drain). */
  private spill(n: number): void {
    const chunk = this.take();
    if (chunk !== undefined) this.write_(chunk);
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(n);
  }

  /**
   * Resolves on drain, close or error and removes its listeners. (A race of events.once() left the
   * losing listeners behind on every wait, and rejected on EPIPE instead of stopping quietly.)
   */
  private drained(): Promise<void> {
    const s = this.stream;
    return new Promise((resolve) => {
      const done = (): void => {
        s.off("drain", done);
        s.off("close", done);
        s.off("error", done);
        resolve();
      };
      s.on("drain", done);
      s.on("close", done);
      s.on("error", done);
    });
  }
}
