// Buffered text output to a stream: latin1 strings (one char per kernel byte) written in ~64 KiB chunks.
import type { Writable } from "node:stream";

/** Collects report text and writes it to `stream` in large latin1 chunks, honouring backpressure. */
export class TextOutput {
  private pending = "";
  private closed = false;

  constructor(
    private readonly stream: Writable,
    private readonly chunkChars = 65536,
  ) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      // `ftk report | head` closes the pipe: stop quietly.
      if (e.code === "EPIPE") this.closed = true;
    });
  }

  /** True once the reader has gone away (EPIPE); producers should stop. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Appends text; call `maybeFlush()` now and then. */
  write(text: string): void {
    this.pending += text;
  }

  /** Writes the buffered text if it is larger than one chunk. */
  async maybeFlush(): Promise<void> {
    if (this.pending.length >= this.chunkChars) await this.flush();
  }

  /** Writes all buffered text and waits for drain if the stream asks for it. */
  async flush(): Promise<void> {
    if (this.pending.length === 0 || this.closed) {
      this.pending = "";
      return;
    }
    const text = this.pending;
    this.pending = "";
    if (!this.stream.write(text, "latin1")) await this.drained();
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
