// An event's own fields as JSON object text, compiled once per event id: numbers as JSON numbers (64-bit
// values above 2^53 as strings, so no digit is lost), char arrays as strings, other arrays as number lists.
import { fieldValueReader } from "../report/index.js";
import type { EventFormat, FieldDef } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import type { TraceFile } from "../tracedat/index.js";

/** Renders `{"field":value,...}` for a record of a known event. */
export type ArgsWriter = (rec: RawRecord) => string;

/** A non-char array field (fixed or __data_loc) as "[a,b,...]" of its unsigned elements. */
export function arrayFieldText(f: FieldDef, le: boolean): (rec: RawRecord) => string {
  const size = f.elementSize > 0 ? f.elementSize : 1;
  return (rec) => {
    let start = f.offset;
    let len = f.size;
    if (f.isDynamic && f.offset + 4 <= rec.len) {
      const loc = rec.view.getUint32(rec.pos + f.offset, le);
      start = (loc & 0xffff) + (f.isRelLoc ? f.offset + f.size : 0);
      len = loc >>> 16;
    }
    let s = "[";
    for (let at = start; at + size <= start + len && at + size <= rec.len; at += size) {
      let v = 0;
      for (let i = 0; i < size && i < 6; i++) v += rec.view.getUint8(rec.pos + (le ? at + i : at + size - 1 - i)) * 2 ** (8 * i);
      s += (s.length > 1 ? "," : "") + v;
    }
    return s + "]";
  };
}

/** JSON text of one value read by fieldValueReader. */
function jsonValue(v: number | bigint | string): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return v <= 9007199254740991n && v >= -9007199254740991n ? v.toString() : `"${v}"`;
  return String(v);
}

/** Compiles args writers per event id. */
export class EventArgs {
  private readonly writers: (ArgsWriter | undefined)[] = [];

  constructor(private readonly trace: TraceFile) {}

  /** The writer of `ev`'s fields. */
  writerOf(ev: EventFormat): ArgsWriter {
    let w = this.writers[ev.id];
    if (w === undefined) {
      const parts: ((rec: RawRecord) => string)[] = [];
      for (const f of ev.fields) {
        const key = JSON.stringify(f.name) + ":";
        const read = fieldValueReader(f, this.trace);
        if (read !== undefined) parts.push((rec) => key + jsonValue(read(rec)));
        else {
          const arr = arrayFieldText(f, this.trace.events.info.littleEndian);
          parts.push((rec) => key + arr(rec));
        }
      }
      w = (rec) => {
        let s = "{";
        for (let i = 0; i < parts.length; i++) s += (i > 0 ? "," : "") + parts[i]!(rec);
        return s + "}";
      };
      this.writers[ev.id] = w;
    }
    return w;
  }
}
