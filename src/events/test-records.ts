// Test-only helpers: synthetic format files and records for the events tests. Not exported by the library.
import type { RawRecord } from "../ringbuf/index.js";
import { EventTable, type FileInfo } from "./event-format.js";

/** The four common fields of a 6.x format file. */
export const COMMON =
  "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" +
  "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" +
  "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" +
  "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n";

/** A format file text with the common fields, `fields` lines (without tabs/newlines) and a print fmt. */
export function formatText(name: string, id: number, fields: string[], printFmt: string): string {
  return `name: ${name}\nID: ${id}\nformat:\n${COMMON}\n${fields.map((f) => "\t" + f + "\n").join("")}\nprint fmt: ${printFmt}\n`;
}

/** A table with one event added (throws when the format is unparsable). */
export function tableWith(info: FileInfo, system: string, ...formats: string[]): EventTable {
  const t = new EventTable(info);
  for (const f of formats) if (!t.addFormat(f, system)) throw new Error("unparsable format in test");
  return t;
}

/** Little-endian 64-bit file info. */
export const LE64: FileInfo = { littleEndian: true, longSize: 8, kernelLongSize: 8 };

/** A record builder: set fields by offset, then take the RawRecord. */
export class RecordBuilder {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(
    size: number,
    id: number,
    private readonly le = true,
  ) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.view.setUint16(0, id, le);
  }
  u8(off: number, v: number): this {
    this.bytes[off] = v;
    return this;
  }
  u16(off: number, v: number): this {
    this.view.setUint16(off, v, this.le);
    return this;
  }
  u32(off: number, v: number): this {
    this.view.setUint32(off, v >>> 0, this.le);
    return this;
  }
  u64(off: number, v: bigint): this {
    this.view.setBigUint64(off, BigInt.asUintN(64, v), this.le);
    return this;
  }
  str(off: number, s: string): this {
    for (let i = 0; i < s.length; i++) this.bytes[off + i] = s.charCodeAt(i);
    return this;
  }
  /** A `__data_loc` word at `off` pointing at `dataOff` with `s` + NUL stored there. */
  dataLoc(off: number, dataOff: number, s: string, rel = false, fieldEnd = 0): this {
    this.str(dataOff, s);
    this.bytes[dataOff + s.length] = 0;
    return this.u32(off, (((s.length + 1) << 16) | (rel ? dataOff - fieldEnd : dataOff)) >>> 0);
  }
  record(cpu = 0, ts = 0): RawRecord {
    return { buf: this.bytes, view: this.view, pos: 0, len: this.bytes.length, ts, cpu, missedEvents: 0 };
  }
}
