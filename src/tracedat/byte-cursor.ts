// Bounded reading of trace.dat metadata: a cursor over a file range (buffered positioned reads) or
// over bytes in memory (a decompressed v7 section). Every read is checked against the range end,
// so a bad length or count becomes a TraceFileError naming the section and offset, never a huge allocation.
import { closeSync, openSync, readSync } from "node:fs";
import { TraceFileError } from "../base/index.js";
import type { ReadHandle } from "./read-handle.js";

const WINDOW_BYTES = 64 * 1024;
const TWO_32 = 2 ** 32;

/** Builds the one-line error for a problem in `path`. */
export function traceFileError(path: string, what: string, fileOffset?: number, cause?: unknown): TraceFileError {
  return new TraceFileError(`cannot read '${path}': ${what}`, {
    code: "bad-trace-file",
    path,
    ...(fileOffset === undefined ? {} : { fileOffset }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** @internal Reads up to `len` bytes at `position` into buf[0..len); returns the count (short only at end of file). */
export async function readFully(fh: ReadHandle, buf: Uint8Array, len: number, position: number): Promise<number> {
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * readFully() without the thread-pool round trip: metadata is read in a few dozen small reads before the
 * first event, and each await of a pool read costs more than the read (issue 11: start-up).
 */
function readFullySync(fh: ReadHandle, buf: Uint8Array, len: number, position: number): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fh.fd, buf, got, len - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Formats an offset the way our messages show it. */
export function hex(n: number): string {
  return "0x" + n.toString(16);
}

/** Where a cursor's bytes come from, for error messages. */
export interface CursorOrigin {
  path: string;
  /** Section name used in messages, e.g. "options". */
  section: string;
  /** For decompressed bytes: file offset of the section they came from (offsets are then relative). */
  compressedAt?: number;
}

/** A Buffer with Node's latin1Slice(), which every Buffer has (Node's own string_decoder uses it) but its types leave out. */
type Latin1Buffer = Buffer & { latin1Slice?(start: number, end: number): string };

/**
 * Bytes [start, end) of a Buffer as a latin1 string: latin1Slice() where Buffer has it (~5x less than a
 * Buffer view and toString() per string, while the code still runs unoptimized: a v6 file's ~1500 format
 * heads are decoded so at open), else toString().
 */
function latin1(b: Latin1Buffer, start: number, end: number): string {
  return b.latin1Slice !== undefined ? b.latin1Slice(start, end) : b.toString("latin1", start, end);
}

/** A bounded reader over [start, end) of a file or of an in-memory buffer. */
export class ByteCursor {
  /** Current position: a file offset, or an offset in the in-memory bytes. */
  pos: number;
  private win: Uint8Array;
  /** The window as a Buffer, for latin1(). */
  private winBuf: Latin1Buffer;
  private winView: DataView;
  private winStart = 0;
  private winLen = 0;

  private constructor(
    private readonly fh: ReadHandle | undefined,
    readonly origin: CursorOrigin,
    start: number,
    readonly end: number,
    mem: Uint8Array | undefined,
    readonly le: boolean,
  ) {
    this.pos = start;
    if (mem !== undefined) {
      this.win = mem;
      this.winLen = mem.length;
    } else {
      this.win = new Uint8Array(Math.min(WINDOW_BYTES, Math.max(16, end - start)));
    }
    this.winView = new DataView(this.win.buffer, this.win.byteOffset, this.win.byteLength);
    this.winBuf = Buffer.from(this.win.buffer, this.win.byteOffset, this.win.byteLength);
  }

  /** A cursor over [start, end) of an open file. */
  static overFile(fh: ReadHandle, origin: CursorOrigin, start: number, end: number, le: boolean): ByteCursor {
    return new ByteCursor(fh, origin, start, end, undefined, le);
  }

  /** A cursor over bytes in memory (offsets start at 0). */
  static overBytes(bytes: Uint8Array, origin: CursorOrigin, le: boolean): ByteCursor {
    return new ByteCursor(undefined, origin, 0, bytes.length, bytes, le);
  }

  /** Bytes left before the end of the range. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** The error for a problem at the current position (or `at`). */
  error(what: string, at: number = this.pos): TraceFileError {
    const o = this.origin;
    const where =
      o.compressedAt === undefined
        ? `at offset ${hex(at)}`
        : `at offset ${hex(at)} of the data decompressed from offset ${hex(o.compressedAt)}`;
    return traceFileError(o.path, `section '${o.section}' ${what} ${where}`, o.compressedAt ?? at);
  }

  /** Makes [pos, pos+n) available in the window; throws "truncated" past the end. */
  private need(n: number): number {
    if (n > this.end - this.pos) throw this.error("truncated");
    let off = this.pos - this.winStart;
    if (off >= 0 && off + n <= this.winLen) return off;
    if (this.fh === undefined) throw this.error("truncated");
    if (n > this.win.length) {
      this.win = new Uint8Array(Math.max(n, this.win.length * 2));
      this.winView = new DataView(this.win.buffer, this.win.byteOffset, this.win.byteLength);
      this.winBuf = Buffer.from(this.win.buffer, this.win.byteOffset, this.win.byteLength);
    }
    const len = Math.min(this.win.length, this.end - this.pos);
    let got = 0;
    try {
      got = readFullySync(this.fh, this.win, len, this.pos);
    } catch (e) {
      throw traceFileError(this.origin.path, `read failed at offset ${hex(this.pos)}: ${(e as Error).message}`, this.pos, e);
    }
    this.winStart = this.pos;
    this.winLen = got;
    off = 0;
    if (n > got) throw this.error("truncated");
    return off;
  }

  async u8(): Promise<number> {
    const o = this.need(1);
    this.pos += 1;
    return this.win[o]!;
  }

  async u16(): Promise<number> {
    const o = this.need(2);
    this.pos += 2;
    return this.winView.getUint16(o, this.le);
  }

  async u32(): Promise<number> {
    return this.u32Now();
  }

  /** A u64 as a number (exact below 2^53; larger values are only ever compared with sizes). */
  async u64(): Promise<number> {
    return this.u64Now();
  }

  /** u32() without a promise, for loops over thousands of items (each await is garbage to collect). */
  u32Now(): number {
    const o = this.need(4);
    this.pos += 4;
    return this.winView.getUint32(o, this.le);
  }

  /** u64() without a promise. */
  u64Now(): number {
    const o = this.need(8);
    this.pos += 8;
    const a = this.winView.getUint32(o, this.le);
    const b = this.winView.getUint32(o + 4, this.le);
    return this.le ? b * TWO_32 + a : a * TWO_32 + b;
  }

  /** A length-prefixed count or size checked against the bytes left (each item at least `unit` bytes). */
  checkCount(n: number, unit: number, what: string, at: number): number {
    const left = this.end - this.pos;
    if (n * unit > left) throw this.error(`truncated or corrupt (${what} ${n} but ${left} bytes left)`, at);
    return n;
  }

  /** Exactly n bytes (a copy the caller may keep). */
  async bytes(n: number): Promise<Uint8Array> {
    if (n > this.end - this.pos) throw this.error("truncated");
    if (this.fh !== undefined && n > this.win.length) {
      const out = new Uint8Array(n);
      let got = 0;
      try {
        got = readFullySync(this.fh, out, n, this.pos);
      } catch (e) {
        throw traceFileError(this.origin.path, `read failed at offset ${hex(this.pos)}: ${(e as Error).message}`, this.pos, e);
      }
      if (got < n) throw this.error("truncated", this.pos + got);
      this.pos += n;
      return out;
    }
    const o = this.need(n);
    this.pos += n;
    return this.win.slice(o, o + n);
  }

  /** Skips n bytes (checked against the end of the range). */
  skip(n: number): void {
    if (n > this.end - this.pos) throw this.error("truncated");
    this.pos += n;
  }

  /**
   * The n bytes at `at` (already passed, e.g. by skip()), read at once: from the file into a new array,
   * or, over bytes in memory, a view of them (no copy).
   */
  bytesAt(at: number, n: number): Uint8Array {
    if (this.fh === undefined) return this.win.subarray(at, at + n);
    const out = new Uint8Array(n);
    let got = 0;
    try {
      got = readFullySync(this.fh, out, n, at);
    } catch (e) {
      throw traceFileError(this.origin.path, `read failed at offset ${hex(at)}: ${(e as Error).message}`, at, e);
    }
    if (got < n) throw this.error("truncated", at + got);
    return out;
  }

  /**
   * Skips n bytes and returns a reader of them for later, `read(into, at)` filling `into` from byte `at`
   * of the n (from the file, reopened by path if it was closed meanwhile): for a large block that many
   * readers never use, or read only in pieces (a v6 file's kallsyms).
   */
  reader(n: number): { readonly size: number; read(into: Uint8Array, at: number): void } {
    if (n > this.end - this.pos) throw this.error("truncated");
    const start = this.pos;
    this.pos += n;
    const fh = this.fh;
    const mem = this.win;
    const path = this.origin.path;
    const read = (into: Uint8Array, at: number): void => {
      if (at < 0 || at + into.length > n) throw new RangeError(`read of ${into.length} bytes at ${at} outside a block of ${n}`);
      if (fh === undefined) {
        into.set(mem.subarray(start + at, start + at + into.length));
        return;
      }
      const fd = fh.fd >= 0 ? fh.fd : undefined;
      let got = 0;
      try {
        const f = fd ?? openSync(path, "r");
        try {
          while (got < into.length) {
            const r = readSync(f, into, got, into.length - got, start + at + got);
            if (r === 0) break;
            got += r;
          }
        } finally {
          if (fd === undefined) closeSync(f);
        }
      } catch (e) {
        throw traceFileError(path, `read failed at offset ${hex(start + at + got)}: ${(e as Error).message}`, start + at + got, e);
      }
      if (got < into.length) throw this.error("truncated", start + at + got);
    };
    return { size: n, read };
  }

  /** n bytes as latin1 text. */
  async text(n: number): Promise<string> {
    // Decoded from the window when it fits: no copy of the bytes first (a file has ~1500 format texts).
    const b = n > this.end - this.pos || (this.fh !== undefined && n > this.win.length) ? await this.bytes(n) : undefined;
    if (b !== undefined) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
    const o = this.need(n);
    this.pos += n;
    return latin1(this.winBuf, o, o + n);
  }

  /** Up to n bytes at the cursor as latin1 text (fewer at the end of the range), without moving it. */
  peekText(n: number): string {
    const k = Math.min(n, this.end - this.pos);
    if (k <= 0) return "";
    const o = this.need(k);
    return latin1(this.winBuf, o, o + k);
  }

  /** A NUL-terminated string of at most `max` bytes (NUL excluded). */
  async cstr(max = 4096): Promise<string> {
    const start = this.pos;
    let s = "";
    for (;;) {
      const avail = Math.min(this.end - this.pos, 256);
      if (avail <= 0) throw this.error("truncated", start);
      const o = this.need(avail);
      const z = this.win.subarray(o, o + avail).indexOf(0);
      const take = z < 0 ? avail : z;
      s += latin1(this.winBuf, o, o + take);
      this.pos += z < 0 ? avail : z + 1;
      if (z >= 0) return s;
      if (s.length > max) throw this.error("has an unterminated string", start);
    }
  }

  /** Checks that the next bytes equal `expected` (e.g. a marker with its NUL). */
  async expect(expected: Uint8Array, what: string): Promise<void> {
    const at = this.pos;
    const got = await this.bytes(expected.length);
    for (let i = 0; i < expected.length; i++) {
      if (got[i] !== expected[i]) throw this.error(`lacks ${what}`, at);
    }
  }
}
