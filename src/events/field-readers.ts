// Field value readers compiled once per field (style.md §5, §6): offset, size and endianness are
// resolved when the reader is made, so reading a record is one closure call with no allocation.
import type { RawRecord } from "../ringbuf/index.js";
import type { FieldDef, FileInfo } from "./event-format.js";

let cachedU8: Uint8Array | undefined;
let cachedBuf: Buffer = Buffer.alloc(0);

/** latin1 text of buf[start, end), stopping at the first NUL; one Buffer view cached per page buffer. */
export function latin1Z(buf: Uint8Array, start: number, end: number): string {
  if (end > buf.length) end = buf.length;
  if (start >= end) return "";
  let e = start;
  while (e < end && buf[e] !== 0) e++;
  if (buf !== cachedU8) {
    cachedU8 = buf;
    cachedBuf = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return cachedBuf.toString("latin1", start, e);
}

/** Reads an unsigned integer of `size` bytes (1, 2, 4, 8; others read as the low bytes) at buf offset. */
export function readUnsigned(view: DataView, at: number, size: number, le: boolean): number {
  switch (size) {
    case 1:
      return view.getUint8(at);
    case 2:
      return view.getUint16(at, le);
    case 4:
      return view.getUint32(at, le);
    case 8: {
      const lo = view.getUint32(le ? at : at + 4, le);
      const hi = view.getUint32(le ? at + 4 : at, le);
      return hi * 4294967296 + lo;
    }
    default: {
      let v = 0;
      for (let i = 0; i < size && i < 6; i++) {
        const b = view.getUint8(le ? at + i : at + size - 1 - i);
        v += b * 2 ** (8 * i);
      }
      return v;
    }
  }
}

/** True for the integer sizes read directly: 1, 2, 4 and 8 bytes. */
export function isWordSize(size: number): boolean {
  return size === 1 || size === 2 || size === 4 || size === 8;
}

/** Reads an unsigned 64-bit (or smaller) integer as a bigint. */
export function readUnsignedBig(view: DataView, at: number, size: number, le: boolean): bigint {
  if (size === 8) return view.getBigUint64(at, le);
  return BigInt(readUnsigned(view, at, size, le));
}

/** Unsigned field value (exact below 2^53); 0 when the field lies outside the record. */
export function fieldNumberReader(field: FieldDef, info: FileInfo): (rec: RawRecord) => number {
  const off = field.offset;
  const le = info.littleEndian;
  const size = Math.min(field.size, 8);
  const end = off + size;
  if (size === 1) return (rec) => (end <= rec.len ? rec.buf[rec.pos + off]! : 0);
  if (size === 2) return (rec) => (end <= rec.len ? rec.view.getUint16(rec.pos + off, le) : 0);
  if (size === 4) return (rec) => (end <= rec.len ? rec.view.getUint32(rec.pos + off, le) : 0);
  if (size === 8) {
    const loAt = le ? off : off + 4;
    const hiAt = le ? off + 4 : off;
    return (rec) =>
      end <= rec.len ? rec.view.getUint32(rec.pos + hiAt, le) * 4294967296 + rec.view.getUint32(rec.pos + loAt, le) : 0;
  }
  if (size <= 0) return () => 0;
  return (rec) => (end <= rec.len ? readUnsigned(rec.view, rec.pos + off, size, le) : 0);
}

/** Unsigned 64-bit field value as a bigint. */
export function fieldBigIntReader(field: FieldDef, info: FileInfo): (rec: RawRecord) => bigint {
  const off = field.offset;
  const le = info.littleEndian;
  const size = Math.min(field.size, 8);
  const end = off + size;
  if (size === 8) return (rec) => (end <= rec.len ? rec.view.getBigUint64(rec.pos + off, le) : 0n);
  const num = fieldNumberReader(field, info);
  return (rec) => BigInt(num(rec));
}

/** Field value sign-extended from its size (8-byte values lose precision beyond 2^53). */
export function fieldSignedReader(field: FieldDef, info: FileInfo): (rec: RawRecord) => number {
  const off = field.offset;
  const le = info.littleEndian;
  const size = Math.min(field.size, 8);
  const end = off + size;
  if (size === 1) return (rec) => (end <= rec.len ? rec.view.getInt8(rec.pos + off) : 0);
  if (size === 2) return (rec) => (end <= rec.len ? rec.view.getInt16(rec.pos + off, le) : 0);
  if (size === 4) return (rec) => (end <= rec.len ? rec.view.getInt32(rec.pos + off, le) : 0);
  if (size === 8) {
    const loAt = le ? off : off + 4;
    const hiAt = le ? off + 4 : off;
    return (rec) =>
      end <= rec.len ? rec.view.getInt32(rec.pos + hiAt, le) * 4294967296 + rec.view.getUint32(rec.pos + loAt, le) : 0;
  }
  const num = fieldNumberReader(field, info);
  const bits = size * 8;
  return (rec) => {
    const v = num(rec);
    return v >= 2 ** (bits - 1) ? v - 2 ** bits : v;
  };
}

/**
 * Start (relative to rec.pos) and byte length of a field's data: the `__data_loc`/`__rel_loc` target
 * (old 2-byte `__data_loc`: offset only, length to the end of the record), the rest of the record for
 * a zero-size field, else the field itself. Writes into `out` [start, len] to avoid allocation.
 */
export function fieldDataLocator(field: FieldDef, info: FileInfo): (rec: RawRecord, out: Int32Array) => void {
  const off = field.offset;
  const le = info.littleEndian;
  if (field.isDynamic && field.size === 2) {
    return (rec, out) => {
      const start = off + 2 <= rec.len ? rec.view.getUint16(rec.pos + off, le) : rec.len;
      out[0] = start;
      out[1] = Math.max(0, rec.len - start);
    };
  }
  if (field.isDynamic) {
    const base = field.isRelLoc ? off + field.size : 0;
    return (rec, out) => {
      if (off + 4 > rec.len) {
        out[0] = 0;
        out[1] = 0;
        return;
      }
      const w = rec.view.getUint32(rec.pos + off, le);
      let start = base + (w & 0xffff);
      let len = w >>> 16;
      if (start > rec.len) start = rec.len;
      if (start + len > rec.len) len = rec.len - start;
      out[0] = start;
      out[1] = len;
    };
  }
  if (field.size === 0) {
    return (rec, out) => {
      out[0] = Math.min(off, rec.len);
      out[1] = Math.max(0, rec.len - off);
    };
  }
  const size = field.size;
  return (rec, out) => {
    out[0] = Math.min(off, rec.len);
    out[1] = Math.max(0, Math.min(size, rec.len - off));
  };
}

/** String value of a char array, `__data_loc`/`__rel_loc` string or zero-size field, up to the first NUL (latin1). */
export function fieldStringReader(field: FieldDef, info: FileInfo): (rec: RawRecord) => string {
  const loc = fieldDataLocator(field, info);
  const tmp = new Int32Array(2);
  return (rec) => {
    loc(rec, tmp);
    const s = rec.pos + tmp[0]!;
    return latin1Z(rec.buf, s, s + tmp[1]!);
  };
}
