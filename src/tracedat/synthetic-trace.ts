// Test-only: builds small trace.dat files byte by byte (trace-dat-format.md §2-§7) for the reader's tests
// and fuzzing: v6 (options, clock block, instances, latency) and v7 (sections none/zlib/zstd, chunked data).
// Not exported by the library.
import { deflateSync } from "node:zlib";
import { OPTION } from "./constants.js";
import { findBlockCompressor } from "./writer-compress.js";

/** The writer's zstd codec (node:zlib or WebAssembly). */
const zstdCompress = (await findBlockCompressor("zstd"))!.compress;
/** Page size of every synthetic file. */
export const PAGE = 4096;

/** A growable little/big-endian byte writer with back-patching. */
export class Out {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  pos = 0;
  constructor(readonly le: boolean) {}
  private room(n: number): number {
    while (this.pos + n > this.buf.length) {
      const b = new Uint8Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
      this.view = new DataView(b.buffer);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(v: number): this { const at = this.room(1); this.buf[at] = v; return this; }
  u16(v: number): this { const at = this.room(2); this.view.setUint16(at, v, this.le); return this; }
  u32(v: number): this { const at = this.room(4); this.view.setUint32(at, v >>> 0, this.le); return this; }
  u64(v: number): this { const at = this.room(8); this.view.setBigUint64(at, BigInt(v), this.le); return this; }
  raw(b: Uint8Array): this { const at = this.room(b.length); this.buf.set(b, at); return this; }
  str(s: string): this { return this.raw(Buffer.from(s, "latin1")); }
  cstr(s: string): this { return this.str(s).u8(0); }
  padTo(align: number): this { this.room((align - (this.pos % align)) % align); return this; }
  patchU64(at: number, v: number): void { this.view.setBigUint64(at, BigInt(v), this.le); }
  bytes(): Uint8Array { return this.buf.slice(0, this.pos); }
}

/** A header_page text for a kernel long of `longSize` bytes. */
export function headerPage(longSize: 4 | 8): string {
  const d = 8 + longSize;
  return `\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:${longSize};\tsigned:1;\n` +
    `\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:${d};\tsize:${PAGE - d};\tsigned:0;\n`;
}

/** One page: records of 12-byte payloads (common_type = id, pid = pid) at the given deltas. */
export function dataPage(le: boolean, longSize: 4 | 8, ts: number, recs: { delta: number; id: number; pid: number }[]): Uint8Array {
  const o = new Out(le);
  o.u64(ts);
  const size = recs.length * 16;
  if (longSize === 8) o.u64(size); else o.u32(size);
  for (const r of recs) {
    o.u32(le ? (r.delta << 5) | 3 : ((3 << 27) | r.delta) >>> 0);
    o.u16(r.id).u8(0).u8(0).u32(r.pid).u32(0);
  }
  o.padTo(PAGE);
  return o.bytes();
}

/** One CPU's data: whole (or, for the last, partial) pages. */
/** `absent`: a v7 BUFFER option leaves this CPU out (as ftk record does for CPUs without data). */
export interface Cpus { pages: Uint8Array[]; absent?: boolean }
/** What both builders take: byte order, kernel long size, CPU data, options and an optional instance. */
export interface BuildCommon {
  le: boolean;
  longSize: 4 | 8;
  cpus: Cpus[];
  options?: { id: number; payload: Uint8Array }[];
  instance?: { name: string; cpus: Cpus[] };
}

/** A NUL-terminated string option payload. */
export function strPayload(s: string): Uint8Array {
  return Buffer.from(s + "\0", "latin1");
}

function metaBlocks(o: Out, longSize: 4 | 8, id: number): void {
  switch (id) {
    case OPTION.HEADER_INFO: {
      const hp = headerPage(longSize);
      o.cstr("header_page").u64(hp.length).str(hp).cstr("header_event").u64(3).str("x\ny");
      return;
    }
    case OPTION.FTRACE_EVENTS:
      o.u32(1).u64(20).str("name: function\nID: 1");
      return;
    case OPTION.EVENT_FORMATS:
      o.u32(1).cstr("sched").u32(1).u64(17).str("name: sw\nID: 300\n");
      return;
    case OPTION.KALLSYMS:
      o.u32(26).str("ffffffff81000000 T _stext\n");
      return;
    case OPTION.PRINTK:
      o.u32(0);
      return;
    case OPTION.CMDLINES:
      o.u64(7).str("1 init\n");
      return;
  }
}

/** A version 6 file (§3): blocks, options, flyrecord (or latency) with page-aligned CPU data. */
export function v6(b: BuildCommon & { clockBlock?: string; latency?: string; headerCpus?: number }): Uint8Array {
  const o = new Out(b.le);
  o.raw(Uint8Array.of(0x17, 0x08, 0x44)).str("tracing").cstr("6").u8(b.le ? 0 : 1).u8(b.longSize).u32(PAGE);
  for (const id of [OPTION.HEADER_INFO, OPTION.FTRACE_EVENTS, OPTION.EVENT_FORMATS, OPTION.KALLSYMS, OPTION.PRINTK, OPTION.CMDLINES]) metaBlocks(o, b.longSize, id);
  o.u32(b.headerCpus ?? b.cpus.length);
  o.str("options  ").u8(0);
  for (const opt of b.options ?? []) o.u16(opt.id).u32(opt.payload.length).raw(opt.payload);
  let bufferPatch = -1;
  if (b.instance !== undefined) {
    const p = strPayload(b.instance.name);
    o.u16(OPTION.BUFFER).u32(8 + p.length);
    bufferPatch = o.pos;
    o.u64(0).raw(p);
  }
  o.u16(0);
  if (b.latency !== undefined) {
    o.str("latency  ").u8(0).str(b.latency);
    return o.bytes();
  }
  const flyrecord = (cpus: Cpus[]): void => {
    o.str("flyrecord").u8(0);
    const table = o.pos;
    for (let i = 0; i < cpus.length; i++) o.u64(0).u64(0);
    o.u64((b.clockBlock ?? "[local]").length).str(b.clockBlock ?? "[local]");
    cpus.forEach((c, i) => {
      o.padTo(PAGE);
      const at = o.pos;
      for (const p of c.pages) o.raw(p);
      o.patchU64(table + i * 16, at);
      o.patchU64(table + i * 16 + 8, o.pos - at);
    });
  };
  flyrecord(b.cpus);
  if (b.instance !== undefined) {
    o.patchU64(bufferPatch, o.pos);
    flyrecord(b.instance.cpus);
  }
  return o.bytes();
}

/** Compression of a v7 file. */
export type Compression = "none" | "zlib" | "zstd";

function compress(c: Compression, data: Uint8Array): Uint8Array {
  return c === "zlib" ? new Uint8Array(deflateSync(data)) : zstdCompress(data);
}

/** A version 7 file (§4): sections, an OPTIONS chain, one BUFFER (or BUFFER_TEXT) section per buffer. */
export function v7(b: BuildCommon & { compression: Compression; cpuCount?: number; latency?: string }): Uint8Array {
  const o = new Out(b.le);
  const comp = b.compression;
  o.raw(Uint8Array.of(0x17, 0x08, 0x44)).str("tracing").cstr("7").u8(b.le ? 0 : 1).u8(b.longSize).u32(PAGE);
  o.cstr(comp).cstr(comp === "none" ? "" : "1.0");
  const firstOptions = o.pos;
  o.u64(0);
  const section = (id: number, flags: number, body: (s: Out) => void): number => {
    const at = o.pos;
    const s = new Out(b.le);
    body(s);
    let bytes = s.bytes();
    if (flags & 1) {
      const c = compress(comp, bytes);
      bytes = new Out(b.le).u32(c.length).u32(bytes.length).raw(c).bytes();
    }
    o.u16(id).u16(flags).u32(0xffffffff).u64(bytes.length).raw(bytes);
    return at;
  };
  const flags = comp === "none" ? 0 : 1;
  const options: { id: number; payload: Uint8Array }[] = [];
  for (const id of [OPTION.HEADER_INFO, OPTION.FTRACE_EVENTS, OPTION.EVENT_FORMATS, OPTION.KALLSYMS, OPTION.PRINTK, OPTION.CMDLINES]) {
    const at = section(id, flags, (s) => metaBlocks(s, b.longSize, id));
    options.push({ id, payload: new Out(b.le).u64(at).bytes() });
  }
  options.push({ id: OPTION.CPUCOUNT, payload: new Out(b.le).u32(b.cpuCount ?? b.cpus.length).bytes() });
  options.push(...(b.options ?? []));
  const optionsSection = (opts: { id: number; payload: Uint8Array }[]): { at: number; donePos: number } => {
    const at = o.pos;
    let donePos = 0;
    section(OPTION.DONE, 0, (s) => {
      for (const opt of opts) s.u16(opt.id).u32(opt.payload.length).raw(opt.payload);
      s.u16(0).u32(8);
      donePos = s.pos;
      s.u64(0);
    });
    return { at, donePos: at + 16 + donePos };
  };
  const first = optionsSection(options);
  o.patchU64(firstOptions, first.at);
  let prevDone = first.donePos;
  const bufferSection = (name: string, cpus: Cpus[]): void => {
    const at = o.pos;
    o.u16(OPTION.BUFFER).u16(flags).u32(0xffffffff).u64(0);
    const entries: { cpu: number; off: number; size: number }[] = [];
    cpus.forEach((c, cpu) => {
      if (c.absent === true) return;
      o.padTo(PAGE);
      const off = o.pos;
      if (comp === "none") {
        for (const p of c.pages) o.raw(p);
        entries.push({ cpu, off, size: o.pos - off });
        return;
      }
      // 10 pages per chunk; the stored size leaves out the 4-byte count (trace-cmd 3.1.6 quirk).
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < c.pages.length; i += 10) {
        const raw = new Out(b.le);
        for (const p of c.pages.slice(i, i + 10)) raw.raw(p);
        chunks.push(raw.bytes());
      }
      o.u32(chunks.length);
      for (const ch of chunks) {
        const z = compress(comp, ch);
        o.u32(z.length).u32(ch.length).raw(z);
      }
      entries.push({ cpu, off, size: o.pos - off - 4 });
    });
    o.patchU64(at + 8, o.pos - at - 16);
    const p = new Out(b.le).u64(at).cstr(name).cstr("local").u32(PAGE).u32(entries.length);
    for (const e of entries) p.u32(e.cpu).u64(e.off).u64(e.size);
    const next = optionsSection([{ id: OPTION.BUFFER, payload: p.bytes() }]);
    o.patchU64(prevDone, next.at);
    prevDone = next.donePos;
  };
  if (b.latency !== undefined) {
    // BUFFER_TEXT section: the text, or when compressed a chunk stream of 10-page chunks (§4.7).
    const at = o.pos;
    const text = Buffer.from(b.latency, "latin1");
    o.u16(OPTION.BUFFER_TEXT).u16(flags).u32(0xffffffff).u64(0);
    if (comp === "none") o.raw(text);
    else {
      const chunks = [];
      for (let i = 0; i < text.length; i += 10 * PAGE) chunks.push(text.subarray(i, i + 10 * PAGE));
      o.u32(chunks.length);
      for (const ch of chunks) {
        const z = compress(comp, ch);
        o.u32(z.length).u32(ch.length).raw(z);
      }
    }
    o.patchU64(at + 8, o.pos - at - 16);
    const next = optionsSection([{ id: OPTION.BUFFER_TEXT, payload: new Out(b.le).u64(at).cstr("").cstr("local").bytes() }]);
    o.patchU64(prevDone, next.at);
    return o.bytes();
  }
  bufferSection("", b.cpus);
  if (b.instance !== undefined) bufferSection(b.instance.name, b.instance.cpus);
  return o.bytes();
}
