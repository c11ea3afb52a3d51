// A protobuf wire-format writer (varint, length-delimited, nested messages) into one growable buffer,
// written from the encoding spec: nested lengths are back-patched, so no message is built twice.
// Numbers up to 2^53 are written from doubles; 64-bit values from (lo, hi) 32-bit halves, never bigints.

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

/** Appends protobuf fields to a reused buffer; `bytes()` views what was written since `reset()`. */
export class ProtoWriter {
  private buf: Buffer;
  pos = 0;
  private readonly starts: number[] = [];

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Makes room for `n` more bytes. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Forgets what was written (nested messages must all be closed). */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written since reset(); valid until the next write. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** A raw varint of a non-negative integer below 2^53 (others, from damaged data, as their low 64 bits). */
  rawVarint(v: number): void {
    if (!(v >= 0 && v <= 9007199254740991)) {
      const b = Number.isFinite(v) ? BigInt.asUintN(64, BigInt(Math.trunc(v))) : 0n;
      this.rawVarint64(Number(b & 0xffffffffn), Number(b >> 32n));
      return;
    }
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A raw varint of the 64-bit value hi:lo (unsigned 32-bit halves). */
  rawVarint64(lo: number, hi: number): void {
    if (hi === 0) {
      this.rawVarint(lo >>> 0);
      return;
    }
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    lo >>>= 0;
    hi >>>= 0;
    // 28 bits of lo in four bytes, then 4 of lo with 3 of hi, then the rest of hi.
    for (let i = 0; i < 4; i++) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    let v = lo | ((hi & 0x7) << 4);
    hi >>>= 3;
    if (hi === 0) {
      b[p++] = v;
      this.pos = p;
      return;
    }
    b[p++] = v | 0x80;
    while (hi >= 0x80) {
      b[p++] = (hi & 0x7f) | 0x80;
      hi >>>= 7;
    }
    b[p++] = hi;
    this.pos = p;
  }

  /** A field tag. */
  tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  /** An unsigned (or non-negative) integer field below 2^53. */
  uint(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(v);
  }

  /** A 64-bit integer field from its halves (two's complement for negative values). */
  int64(field: number, lo: number, hi: number): void {
    this.tag(field, WIRE_VARINT);
    this.rawVarint64(lo, hi);
  }

  /** A signed integer field (int32/int64 encoding: negative values take 10 bytes). */
  int(field: number, v: number): void {
    if (v >= 0) this.uint(field, v);
    else {
      const lo = Number(BigInt.asUintN(32, BigInt(v)));
      const hi = Math.floor(v / 4294967296) >>> 0;
      this.int64(field, lo, hi);
    }
  }

  /** A bool field. */
  bool(field: number, v: boolean): void {
    this.uint(field, v ? 1 : 0);
  }

  /** A string field; kernel strings are latin1, so each char is written as UTF-8. */
  string(field: number, s: string): void {
    this.tag(field, WIRE_LEN);
    const n = Buffer.byteLength(s, "utf8");
    this.rawVarint(n);
    this.ensure(n);
    this.buf.write(s, this.pos, n, "utf8");
    this.pos += n;
  }

  /** A bytes field. */
  rawBytes(field: number, data: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.rawVarint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Opens a nested message field; close it with end(). */
  begin(field: number): void {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    this.starts.push(this.pos);
    this.pos += 1; // one byte for the length, the common case; end() moves the body if it needs more
  }

  /** Closes the innermost begin() and writes its length. */
  end(): void {
    const start = this.starts.pop()!;
    const bodyAt = start + 1;
    const len = this.pos - bodyAt;
    if (len < 0x80) {
      this.buf[start] = len;
      return;
    }
    let size = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 0x80)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(bodyAt + size - 1, bodyAt, this.pos);
    this.pos += size - 1;
    const save = this.pos;
    this.pos = start;
    this.rawVarint(len);
    this.pos = save;
  }
}
