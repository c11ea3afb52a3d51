// Buffered positional output for the trace.dat writer: appends integers/strings in the file's
// endianness, remembers where placeholders are, and patches them later.
import type { FileHandle } from "node:fs/promises";

const FLUSH_BYTES = 1 << 16;

/** Appends to a file through a 64 KiB buffer and patches already written bytes. */
export class FileSink {
  private readonly fh: FileHandle;
  private readonly le: boolean;
  private buf = new Uint8Array(FLUSH_BYTES);
  private view = new DataView(this.buf.buffer);
  private used = 0;
  /** File offset of buf[0]. */
  private base = 0;

  constructor(fh: FileHandle, littleEndian: boolean) {
    this.fh = fh;
    this.le = littleEndian;
  }

  /** Current end of the file (the offset the next byte goes to). */
  get pos(): number {
    return this.base + this.used;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    if (n > this.buf.length) {
      const bigger = new Uint8Array(n + FLUSH_BYTES);
      bigger.set(this.buf.subarray(0, this.used));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    }
  }

  /** Writes buffered bytes to the file. */
  async flush(): Promise<void> {
    let done = 0;
    while (done < this.used) {
      const { bytesWritten } = await this.fh.write(this.buf, done, this.used - done, this.base + done);
      done += bytesWritten;
    }
    this.base += this.used;
    this.used = 0;
  }

  private async room(n: number): Promise<void> {
    if (this.used + n > this.buf.length) await this.flush();
    this.reserve(n);
  }

  async u16(v: number): Promise<void> {
    await this.room(2);
    this.view.setUint16(this.used, v, this.le);
    this.used += 2;
  }

  async u32(v: number): Promise<void> {
    await this.room(4);
    this.view.setUint32(this.used, v >>> 0, this.le);
    this.used += 4;
  }

  async u64(v: number | bigint): Promise<void> {
    await this.room(8);
    this.view.setBigUint64(this.used, BigInt(v), this.le);
    this.used += 8;
  }

  async bytes(b: Uint8Array): Promise<void> {
    if (b.length >= FLUSH_BYTES) {
      await this.flush();
      let done = 0;
      while (done < b.length) {
        const { bytesWritten } = await this.fh.write(b, done, b.length - done, this.base + done);
        done += bytesWritten;
      }
      this.base += b.length;
      return;
    }
    await this.room(b.length);
    this.buf.set(b, this.used);
    this.used += b.length;
  }

  /** Writes a string as latin1 bytes followed by a NUL. */
  async cstr(s: string): Promise<void> {
    await this.bytes(Buffer.from(s + "\0", "latin1"));
  }

  /** Writes zeros up to the next multiple of `align`. */
  async padTo(align: number): Promise<void> {
    const rem = this.pos % align;
    if (rem !== 0) await this.bytes(new Uint8Array(align - rem));
  }

  /** Overwrites bytes at an earlier file offset (flushes first). */
  async patch(fileOffset: number, b: Uint8Array): Promise<void> {
    await this.flush();
    await this.fh.write(b, 0, b.length, fileOffset);
  }

  async patchU64(fileOffset: number, v: number | bigint): Promise<void> {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), this.le);
    await this.patch(fileOffset, b);
  }

  async patchU32(fileOffset: number, v: number): Promise<void> {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, this.le);
    await this.patch(fileOffset, b);
  }
}

/** Little builder for in-memory blocks (section bodies, option payloads) in the file's endianness. */
export class BlockBuilder {
  private readonly le: boolean;
  private parts: Uint8Array[] = [];
  private length = 0;

  constructor(littleEndian: boolean) {
    this.le = littleEndian;
  }

  get size(): number {
    return this.length;
  }

  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  u16(v: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, this.le);
    return this.bytes(b);
  }

  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, this.le);
    return this.bytes(b);
  }

  u64(v: number | bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), this.le);
    return this.bytes(b);
  }

  cstr(s: string): this {
    return this.bytes(Buffer.from(s + "\0", "latin1"));
  }

  /** The concatenated bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let pos = 0;
    for (const p of this.parts) {
      out.set(p, pos);
      pos += p.length;
    }
    return out;
  }
}
