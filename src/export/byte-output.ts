// Output for the exporters: chunks are queued while the model walks a page batch synchronously, and
// written with backpressure between batches (walkModel's `drain`), so memory stays flat.
import type { Writable } from "node:stream";

/** Queues bytes or text and writes them to a stream on flush(). */
export class ByteOutput {
  private chunks: (Uint8Array | string)[] = [];
  private queued = 0;
  private failed: Error | undefined;
  /** Bytes handed to the stream so far. */
  written = 0;

  /** `encoding` of text chunks: "utf8" for JSON/CSV (kernel latin1 chars become valid UTF-8). */
  constructor(
    private readonly stream: Writable,
    private readonly encoding: "latin1" | "utf8" = "latin1",
  ) {
    stream.on("error", (e: Error) => {
      this.failed ??= e;
    });
  }

  /** Queues a copy-free chunk (the caller must not reuse `data`) or text. */
  write(data: Uint8Array | string): void {
    this.chunks.push(data);
    this.queued += data.length;
  }

  /** Bytes or chars queued since the last flush. */
  get pending(): number {
    return this.queued;
  }

  /** Writes what is queued and waits for the stream to drain; throws the stream's error, if any. */
  async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    const chunks = this.chunks;
    this.chunks = [];
    this.queued = 0;
    let ok = true;
    for (const c of chunks) {
      ok = typeof c === "string" ? this.stream.write(c, this.encoding) : this.stream.write(c);
      this.written += typeof c === "string" ? Buffer.byteLength(c, this.encoding) : c.length;
    }
    if (!ok) await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        this.stream.off("close", done);
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("error", done);
      this.stream.on("close", done);
    });
    if (this.failed) throw this.failed;
  }
}
