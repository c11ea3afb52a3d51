// openTrace(): reads the metadata of a trace.dat file, version 6 or 7 (../shared/docs/trace-dat-format.md
// §2-§6, reader algorithm §9), and hands out per-CPU record streams (cpu-stream.ts). Only metadata is held
// in memory; trace data is streamed. Structural damage throws a TraceFileError naming file, section, offset.
import { describeErrno, noteCodePath, TraceFileError } from "../base/index.js";
import { EventTable, Kallsyms, LazyFormatText, PrintkFormats, TaskNames, type FormatSource, type KallsymsReader } from "../events/index.js";
import { parseHeaderPage } from "../ringbuf/index.js";
import type { PageLayout, PageStatus } from "../ringbuf/index.js";
import { ByteCursor, hex, traceFileError } from "./byte-cursor.js";
import { MARKER, OPTION, SECTION_FLAG_COMPRESSED, SECTION_HEADER_SIZE, TRACEDAT_MAGIC } from "./constants.js";
import { ChunkPageSource, PageStream, RawPageSource } from "./cpu-stream.js";
import { openForReading, type ReadHandle } from "./read-handle.js";
import type { CpuStream } from "./cpu-stream.js";
import { findDecompressor } from "./decompress.js";
import type { BlockDecompressor } from "./decompress.js";

/** How openTrace() adjusts timestamps and reports problems. */
export interface OpenTraceOptions {
  /** Extra timestamp offset (report --ts-offset), added after the file's own adjustments. */
  tsOffset?: number;
  /** report --raw-ts: no adjustment at all (no OFFSET/DATE, TSC2NSEC or --ts-offset). */
  rawTs?: boolean;
  /** report --nodate: ignore the DATE option. */
  noDate?: boolean;
  /** report --ts2secs HZ: timestamps count cycles of this frequency (replaces TSC2NSEC; the file's clock is then not used). */
  ts2secsHz?: number;
  /** Receives warnings (unknown options, bad pages); default: `ftk: warning: ...` on stderr. */
  onWarning?: (message: string) => void;
  /** report --kallsyms FILE: more kallsyms text, looked up with the file's (as trace-cmd: registered first). */
  extraKallsyms?: string;
}

/** One ftrace instance's data: the top buffer has name "". */
export interface TraceBufferInfo {
  name: string;
  /** Trace clock of this buffer ("local" unless the file says otherwise). */
  clock: string;
  /** Sub-buffer size of this buffer. */
  pageSize: number;
  /** Data location per CPU; `size` is the compressed length when `compressed`. */
  cpus: { cpu: number; fileOffset: number; size: number }[];
  /** True when each CPU's data is a chunk stream (v7 compressed files). */
  compressed: boolean;
}

/** TSC2NSEC option: `ts = (ts * mult) >> shift`. */
export interface Tsc2Nsec {
  mult: number;
  shift: number;
  offset: bigint;
}

const MAX_VERSION_LEN = 16;
/** More CPUs than any kernel supports (NR_CPUS is at most 8192): a corrupt count. */
const MAX_CPUS = 65536;
const MAX_SECTION_BYTES = 1024 * 1024 * 1024;
const TEXT = new TextEncoder();

function marker(s: string): Uint8Array {
  return TEXT.encode(s + "\0");
}

/** Parses a C number (strtoll base 0): optional sign, decimal, 0x hex or leading-0 octal. */
function parseCNumber(s: string): number {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (m === null) return 0;
  const digits = m[2]!;
  const v = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits[0] === "0" ? parseInt(digits, 8) : parseInt(digits, 10);
  return m[1] === "-" ? -v : v;
}

/** The word in brackets of a trace_clock text ("[local] global ..." -> "local"), or undefined. */
function selectedClock(text: string): string | undefined {
  for (const word of text.split(/\s+/)) {
    if (word.startsWith("[")) return word.replace(/^\[/, "").replace(/\].*$/, "");
  }
  return undefined;
}

function payloadString(p: Uint8Array, from = 0): string {
  let end = p.indexOf(0, from);
  if (end < 0) end = p.length;
  return Buffer.from(p.buffer, p.byteOffset + from, end - from).toString("latin1");
}

/** Kallsyms text as read at open: bytes, a reader of them in the file, or its decompression for later. */
type KallsymsBytes = Uint8Array | KallsymsReader | (() => Uint8Array | KallsymsReader);

/** Everything openTrace() learns before the data. */
interface TraceMeta {
  version: 6 | 7;
  littleEndian: boolean;
  longSize: 4 | 8;
  pageSize: number;
  compression: string;
  headerPage: string;
  headerEvent: string;
  ftraceFormats: string[];
  eventFormats: FormatPart[];
  /** The text's bytes, a reader of them in the file, or a function that decompresses them on first use. */
  kallsyms: KallsymsBytes;
  printkFormats: string;
  savedCmdlines: string;
  cpus: number;
  uname?: string;
  traceCmdVersion?: string;
  traceClock?: string;
  traceClockText?: string;
  cpuStats: string[];
  options: { id: number; payload: Uint8Array }[];
  buffers: TraceBufferInfo[];
  latencyText?: string;
  /** Sum of the DATE options, in µs (exact: below 2^53). */
  dateUs: number;
  offset: number;
  tsc2nsec?: Tsc2Nsec;
  /** v7: the block decompressor of the file's compression, loaded once at open. */
  decompress?: BlockDecompressor;
}

/** Reads the metadata; one instance per openTrace() call. */
class MetaReader {
  readonly meta: TraceMeta;
  private decompress: BlockDecompressor | undefined;
  private warnedIds = new Set<number>();
  private hasTraceClockOption = false;
  private cpuCountOption = -1;
  private v6Buffers: { offset: number; name: string }[] = [];
  private v7BufferOptions: { payload: Uint8Array; at: number }[] = [];
  private v7TextOptions: { payload: Uint8Array; at: number }[] = [];
  private sectionOffsets = new Map<number, number>();

  constructor(
    private readonly fh: ReadHandle,
    private readonly path: string,
    private readonly fileSize: number,
    private readonly warn: (msg: string) => void,
    private readonly ts2secs: boolean,
  ) {
    this.meta = {
      version: 6, littleEndian: true, longSize: 8, pageSize: 4096, compression: "none",
      headerPage: "", headerEvent: "", ftraceFormats: [], eventFormats: [], kallsyms: new Uint8Array(0), printkFormats: "",
      savedCmdlines: "", cpus: 0, cpuStats: [], options: [], buffers: [], dateUs: 0, offset: 0,
    };
  }

  private cursor(section: string, start: number, end: number = this.fileSize): ByteCursor {
    return ByteCursor.overFile(this.fh, { path: this.path, section }, start, Math.min(end, this.fileSize), this.meta.littleEndian);
  }

  async read(): Promise<TraceMeta> {
    const c = this.cursor("header", 0);
    if (this.fileSize === 0) throw traceFileError(this.path, "empty file (not a trace.dat file)");
    if (this.fileSize < TRACEDAT_MAGIC.length) throw traceFileError(this.path, "not a trace.dat file (too short for the magic)");
    const magic = await c.bytes(TRACEDAT_MAGIC.length);
    if (!magic.every((b, i) => b === TRACEDAT_MAGIC[i])) throw traceFileError(this.path, "not a trace.dat file (bad magic)", 0);
    const versionAt = c.pos;
    const versionText = await c.cstr(MAX_VERSION_LEN);
    const version = /^[0-9]+$/.test(versionText) ? Number(versionText) : NaN;
    if (version !== 6 && version !== 7) {
      throw c.error(`has an unsupported trace.dat version '${versionText}' (6 and 7 are supported)`, versionAt);
    }
    const m = this.meta;
    m.version = version;
    const endianAt = c.pos;
    const endian = await c.u8();
    if (endian > 1) throw c.error(`has a bad byte-order flag ${endian}`, endianAt);
    m.littleEndian = endian === 0;
    const longAt = c.pos;
    const longSize = await c.u8();
    if (longSize !== 4 && longSize !== 8) throw c.error(`has a bad long size ${longSize}`, longAt);
    m.longSize = longSize;
    const pageAt = c.pos;
    const pageSize = await this.cursorAt(c).u32();
    if (pageSize < 64 || pageSize > 16 * 1024 * 1024) throw c.error(`has a bad page size ${pageSize}`, pageAt);
    m.pageSize = pageSize;
    if (version === 6) await this.readV6(pageAt + 4);
    else await this.readV7(pageAt + 4);
    return m;
  }

  /** A cursor at c.pos with the file's byte order (decided after the first bytes). */
  private cursorAt(c: ByteCursor): ByteCursor {
    return this.cursor(c.origin.section, c.pos);
  }

  // ---- blocks shared by v6 and v7 (v7 sections hold the same bytes) ----

  private async readHeaderInfo(c: ByteCursor): Promise<void> {
    c.origin.section = "headers";
    await c.expect(marker(MARKER.headerPage), "the 'header_page' marker");
    this.meta.headerPage = await c.text(c.checkCount(await c.u64(), 1, "header_page size", c.pos - 8));
    await c.expect(marker(MARKER.headerEvent), "the 'header_event' marker");
    this.meta.headerEvent = await c.text(c.checkCount(await c.u64(), 1, "header_event size", c.pos - 8));
  }

  private async readFtraceEvents(c: ByteCursor): Promise<void> {
    c.origin.section = "ftrace events";
    const n = c.checkCount(await c.u32(), 8, "format count", c.pos - 4);
    for (let i = 0; i < n; i++) {
      this.meta.ftraceFormats.push(await c.text(c.checkCount(await c.u64(), 1, "format size", c.pos - 8)));
    }
  }

  private async readEventFormats(c: ByteCursor): Promise<void> {
    c.origin.section = "events format";
    // A file has ~1500 formats and a report prints a few events: only each one's first bytes (name and ID)
    // are decoded now, as the cursor passes them; a text is read again from the file when it is used.
    // One pass, one object per format (it runs before V8 optimizes anything): the texts read from a reader
    // of the whole section, made once its end is known.
    const start = c.pos;
    let section: FormatSource | undefined;
    const source: FormatSource = { read: (into, at) => section!.read(into, at) };
    const formats = this.meta.eventFormats;
    const systems = c.checkCount(c.u32Now(), 5, "system count", c.pos - 4);
    for (let s = 0; s < systems; s++) {
      const system = await c.cstr();
      const n = c.checkCount(c.u32Now(), 8, "event count", c.pos - 4);
      for (let i = 0; i < n; i++) {
        const size = c.checkCount(c.u64Now(), 1, "format size", c.pos - 8);
        formats.push({ system, head: c.peekText(Math.min(size, FORMAT_HEAD_BYTES)), text: new LazyFormatText(source, c.pos - start, size) });
        c.skip(size);
      }
    }
    const end = c.pos;
    c.pos = start;
    section = c.reader(end - start);
  }

  private async readKallsyms(c: ByteCursor): Promise<void> {
    c.origin.section = "kallsyms";
    // Megabytes that only reports printing symbols read, and then through a window (each page of new
    // memory costs a fault): the table reads the names it looks up.
    this.meta.kallsyms = c.reader(c.checkCount(await c.u32(), 1, "size", c.pos - 4));
  }

  private async readPrintk(c: ByteCursor): Promise<void> {
    c.origin.section = "printk";
    this.meta.printkFormats = await c.text(c.checkCount(await c.u32(), 1, "size", c.pos - 4));
  }

  private async readCmdlines(c: ByteCursor): Promise<void> {
    c.origin.section = "command lines";
    this.meta.savedCmdlines = await c.text(c.checkCount(await c.u64(), 1, "size", c.pos - 8));
  }

  // ---- options (§6) ----

  private applyOption(id: number, payload: Uint8Array, at: number): void {
    const m = this.meta;
    m.options.push({ id, payload });
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const le = m.littleEndian;
    const u64 = (o: number): number => (le ? view.getUint32(o + 4, le) * 2 ** 32 + view.getUint32(o, le) : view.getUint32(o, le) * 2 ** 32 + view.getUint32(o + 4, le));
    switch (id) {
      case OPTION.DATE:
        m.dateUs += parseCNumber(payloadString(payload));
        return;
      case OPTION.OFFSET:
        m.offset += parseCNumber(payloadString(payload));
        return;
      case OPTION.CPUSTAT:
        m.cpuStats.push(payloadString(payload));
        return;
      case OPTION.BUFFER:
        if (m.version === 6) {
          if (payload.length < 8) throw traceFileError(this.path, `option 'buffer' too short at offset ${hex(at)}`, at);
          this.v6Buffers.push({ offset: u64(0), name: payloadString(payload, 8) });
        } else {
          this.v7BufferOptions.push({ payload, at });
        }
        return;
      case OPTION.TRACECLOCK:
        if (this.ts2secs) return; // trace-cmd ignores the clock (and the v6 clock block) with --ts2secs
        this.hasTraceClockOption = true;
        m.traceClock = selectedClock(payloadString(payload)) ?? m.traceClock;
        return;
      case OPTION.UNAME:
        m.uname = payloadString(payload);
        return;
      case OPTION.VERSION:
        m.traceCmdVersion = payloadString(payload);
        return;
      case OPTION.CPUCOUNT:
        if (payload.length >= 4) {
          this.cpuCountOption = view.getUint32(0, le);
          if (m.version === 6) m.cpus = this.cpuCountOption;
        }
        return;
      case OPTION.TSC2NSEC:
        if (payload.length >= 16) {
          const lo = view.getUint32(le ? 8 : 12, le);
          const hi = view.getUint32(le ? 12 : 8, le);
          m.tsc2nsec = { mult: view.getUint32(0, le), shift: view.getUint32(4, le), offset: (BigInt(hi) << 32n) | BigInt(lo) };
        }
        return;
      case OPTION.HEADER_INFO:
      case OPTION.FTRACE_EVENTS:
      case OPTION.EVENT_FORMATS:
      case OPTION.KALLSYMS:
      case OPTION.PRINTK:
      case OPTION.CMDLINES:
        if (m.version === 7 && payload.length >= 8) this.sectionOffsets.set(id, u64(0));
        return;
      case OPTION.BUFFER_TEXT:
        if (m.version === 7) this.v7TextOptions.push({ payload, at });
        return;
      case OPTION.HOOK:
      case OPTION.PROCMAPS:
      case OPTION.TRACEID:
      case OPTION.TIME_SHIFT: // kept raw in `options`: host/guest correction is not applied
      case OPTION.GUEST:
      case OPTION.STRINGS:
      case OPTION.BTF_FILE:
      case OPTION.LAST_BOOT_INFO:
      case OPTION.MODULES_FILE:
        return;
      default:
        if (!this.warnedIds.has(id)) {
          this.warnedIds.add(id);
          this.warn(`'${this.path}': unknown option ${id} at offset ${hex(at)} skipped`);
        }
    }
  }

  // ---- version 6 (§3) ----

  private async readV6(start: number): Promise<void> {
    noteCodePath("v6");
    const m = this.meta;
    const c = this.cursor("headers", start);
    await this.readHeaderInfo(c);
    await this.readFtraceEvents(c);
    await this.readEventFormats(c);
    await this.readKallsyms(c);
    await this.readPrintk(c);
    await this.readCmdlines(c);
    c.origin.section = "cpu count";
    m.cpus = await c.u32();
    let kindAt = c.pos;
    let kind = await c.bytes(10);
    if (startsWith(kind, MARKER.options.trimEnd())) {
      c.origin.section = "options";
      for (;;) {
        const at = c.pos;
        const id = await c.u16();
        if (id === 0) break;
        const size = c.checkCount(await c.u32(), 1, "option size", c.pos - 4);
        this.applyOption(id, await c.bytes(size), at);
      }
      kindAt = c.pos;
      kind = await c.bytes(10);
    }
    if (startsWith(kind, MARKER.latency.trimEnd())) {
      c.origin.section = "latency";
      m.latencyText = await c.text(c.remaining);
      m.buffers.push({ name: "", clock: m.traceClock ?? "local", pageSize: m.pageSize, cpus: [], compressed: false });
      return;
    }
    if (!startsWith(kind, MARKER.flyrecord)) throw c.error("lacks the 'flyrecord' or 'latency' marker", kindAt);
    c.origin.section = "flyrecord";
    const cpus = await this.readV6CpuTable(c, "");
    let clock = "local";
    if (this.hasTraceClockOption) {
      // v6 clock block: read only when a TRACECLOCK option was present (§3.2).
      const at = c.pos;
      try {
        const len = c.checkCount(await c.u64(), 1, "clock size", at);
        m.traceClockText = await c.text(len);
        clock = selectedClock(m.traceClockText) ?? "local";
      } catch {
        this.warn(`'${this.path}': file has trace_clock bug, using local clock`);
        clock = "local";
      }
      m.traceClock = clock;
    }
    m.buffers.push({ name: "", clock, pageSize: m.pageSize, cpus, compressed: false });
    for (const b of this.v6Buffers) {
      if (b.offset >= this.fileSize) throw traceFileError(this.path, `buffer '${b.name}' starts past the end of the file at offset ${hex(b.offset)}`, b.offset);
      const bc = this.cursor(`buffer ${b.name}`, b.offset);
      await bc.expect(marker(MARKER.flyrecord), "the 'flyrecord' marker");
      m.buffers.push({ name: b.name, clock, pageSize: m.pageSize, cpus: await this.readV6CpuTable(bc, b.name), compressed: false });
    }
  }

  private async readV6CpuTable(c: ByteCursor, name: string): Promise<TraceBufferInfo["cpus"]> {
    if (this.meta.cpus > MAX_CPUS) throw c.error(`has an impossible cpu count ${this.meta.cpus}`);
    const n = c.checkCount(this.meta.cpus, 16, "cpu count", c.pos);
    const cpus: TraceBufferInfo["cpus"] = [];
    for (let cpu = 0; cpu < n; cpu++) {
      const at = c.pos;
      const fileOffset = await c.u64();
      const size = await c.u64();
      this.checkData(name, cpu, fileOffset, size, at);
      cpus.push({ cpu, fileOffset, size });
    }
    return cpus;
  }

  private checkData(name: string, cpu: number, fileOffset: number, size: number, at: number): void {
    if (size > 0 && fileOffset + size > this.fileSize) {
      const which = name === "" ? `cpu ${cpu}` : `buffer '${name}' cpu ${cpu}`;
      throw traceFileError(
        this.path,
        `${which} data at offset ${hex(fileOffset)} needs ${fileOffset + size} bytes but the file has ${this.fileSize} (truncated?)`,
        at,
      );
    }
  }

  // ---- version 7 (§4) ----

  private async readV7(start: number): Promise<void> {
    noteCodePath("v7");
    const m = this.meta;
    const c = this.cursor("header", start);
    m.compression = await c.cstr(64);
    await c.cstr(64); // compression library version: informational
    if (m.compression !== "none") {
      noteCodePath(m.compression.replace(/[^a-z0-9]/g, ""));
      try {
        this.decompress = m.decompress = await findDecompressor(m.compression, this.fileSize);
      } catch (e) {
        throw traceFileError(this.path, `cannot read its ${m.compression} sections: ${(e as Error).message}`, start, e);
      }
      if (this.decompress === undefined) {
        throw traceFileError(this.path, `unsupported compression '${m.compression}' (zstd and zlib are supported)`, start);
      }
    }
    let next = await c.u64();
    const seen = new Set<number>();
    while (next !== 0) {
      if (seen.has(next)) throw traceFileError(this.path, `section 'options' chain loops back to offset ${hex(next)}`, next);
      seen.add(next);
      next = await this.readOptionsSection(next);
    }
    const read = async (id: number, f: (c: ByteCursor) => Promise<void>, name: string): Promise<void> => {
      const at = this.sectionOffsets.get(id);
      if (at === undefined) return;
      await f(await this.sectionBody(at, id, name));
    };
    await read(OPTION.HEADER_INFO, (c) => this.readHeaderInfo(c), "headers");
    await read(OPTION.FTRACE_EVENTS, (c) => this.readFtraceEvents(c), "ftrace events");
    await read(OPTION.EVENT_FORMATS, (c) => this.readEventFormats(c), "events format");
    const kallsymsAt = this.sectionOffsets.get(OPTION.KALLSYMS);
    if (kallsymsAt !== undefined) await this.readV7Kallsyms(kallsymsAt);
    await read(OPTION.PRINTK, (c) => this.readPrintk(c), "printk");
    await read(OPTION.CMDLINES, (c) => this.readCmdlines(c), "command lines");
    for (const b of this.v7BufferOptions) m.buffers.push(await this.readV7Buffer(b.payload, b.at));
    // The top buffer first, instances after it in option order.
    const top = m.buffers.findIndex((b) => b.name === "");
    if (top > 0) m.buffers.unshift(...m.buffers.splice(top, 1));
    for (const t of this.v7TextOptions) await this.readV7Text(t.payload, t.at);
    if (top < 0) {
      m.buffers.unshift({ name: "", clock: m.traceClock ?? "local", pageSize: m.pageSize, cpus: [], compressed: false });
    }
    const topCpus = m.buffers[0]!.cpus.reduce((n, e) => Math.max(n, e.cpu + 1), 0);
    m.cpus = Math.max(this.cpuCountOption, topCpus, 0);
    if (m.cpus > MAX_CPUS) throw traceFileError(this.path, `option 'cpucount' has an impossible cpu count ${m.cpus}`);
  }

  /**
   * The kallsyms section. Compressed, it is the largest metadata (3.6 MB of text in a 830 kB lab file)
   * and many reports print no symbol: it is read and decompressed only when someone asks for it.
   */
  private async readV7Kallsyms(at: number): Promise<void> {
    const name = "kallsyms";
    const { flags, start, size } = await this.sectionHeader(at, OPTION.KALLSYMS, name);
    if ((flags & SECTION_FLAG_COMPRESSED) === 0) return this.readKallsyms(await this.sectionBody(at, OPTION.KALLSYMS, name));
    const c = this.cursor(name, start, start + size);
    const csize = c.checkCount(await c.u32(), 1, "compressed size", start);
    const usize = await c.u32();
    if (usize > MAX_SECTION_BYTES) throw c.error(`has a bad uncompressed size ${usize}`, start + 4);
    // The compressed bytes too are read only when a symbol is needed.
    const compressed = c.reader(csize);
    const le = this.meta.littleEndian;
    this.meta.kallsyms = () => {
      const origin = { path: this.path, section: name, compressedAt: start };
      // Kept in the decoder's memory where it can (the WebAssembly decoder): read there, not copied out.
      const kept = this.decompress?.kept;
      if (kept !== undefined) {
        let block;
        try {
          block = kept((into) => compressed.read(into, 0), csize, usize);
        } catch (e) {
          if (e instanceof TraceFileError) throw e; // the compressed bytes did not read
          throw traceFileError(this.path, `section '${name}' does not decompress at offset ${hex(start)}: ${(e as Error).message}`, start, e);
        }
        if (block.size !== usize) throw traceFileError(this.path, `section '${name}' decompressed to ${block.size} bytes instead of ${usize} at offset ${hex(start)}`, start);
        const head = new Uint8Array(Math.min(4, usize));
        block.read(head, 0);
        const body = ByteCursor.overBytes(head, origin, le);
        if (usize < 4) throw body.error("truncated", 0);
        const n = new DataView(head.buffer).getUint32(0, le);
        // As checkCount() words it over the whole block (this cursor holds only the size).
        if (n > usize - 4) throw body.error(`truncated or corrupt (size ${n} but ${usize - 4} bytes left)`, 0);
        return { size: n, read: (into: Uint8Array, at: number) => block.read(into, at + 4) };
      }
      // Read into memory the decoder gives (node:zlib's zstd wants room in front of the frame).
      const out = this.decompressBlock({ fill: (into: Uint8Array) => compressed.read(into, 0), size: csize }, usize, name, start);
      const body = ByteCursor.overBytes(out, origin, le);
      if (out.length < 4) throw body.error("truncated", 0);
      const n = new DataView(out.buffer, out.byteOffset, out.byteLength).getUint32(0, le);
      body.pos = 4;
      body.checkCount(n, 1, "size", 0);
      return out.subarray(4, 4 + n);
    };
  }

  /** Reads a 16-byte section header at `at` and checks its id; returns flags and the body range. */
  private async sectionHeader(at: number, id: number, name: string): Promise<{ flags: number; start: number; size: number }> {
    if (at + SECTION_HEADER_SIZE > this.fileSize) throw traceFileError(this.path, `section '${name}' at offset ${hex(at)} is past the end of the file`, at);
    const c = this.cursor(name, at);
    const gotId = await c.u16();
    const flags = await c.u16();
    await c.u32(); // description: an offset in the strings table, cosmetic
    const size = await c.u64();
    if (gotId !== id) throw traceFileError(this.path, `section '${name}' expected at offset ${hex(at)} has id ${gotId} instead of ${id}`, at);
    const start = at + SECTION_HEADER_SIZE;
    if (size > this.fileSize - start) throw traceFileError(this.path, `section '${name}' truncated at offset ${hex(at)} (size ${size})`, at);
    return { flags, start, size };
  }

  /** The body of a metadata section as a cursor (decompressed when flagged). */
  private async sectionBody(at: number, id: number, name: string): Promise<ByteCursor> {
    const { flags, start, size } = await this.sectionHeader(at, id, name);
    if ((flags & SECTION_FLAG_COMPRESSED) === 0) return this.cursor(name, start, start + size);
    const c = this.cursor(name, start, start + size);
    const csize = c.checkCount(await c.u32(), 1, "compressed size", start);
    const usize = await c.u32();
    if (usize > MAX_SECTION_BYTES) throw c.error(`has a bad uncompressed size ${usize}`, start + 4);
    const src = await c.bytes(csize);
    const out = this.decompressBlock(src, usize, name, start);
    return ByteCursor.overBytes(out, { path: this.path, section: name, compressedAt: start }, this.meta.littleEndian);
  }

  /** Decompresses a block of `usize` bytes: given, or read by `fill` (into memory the decoder gives). */
  private decompressBlock(src: Uint8Array | { fill: (into: Uint8Array) => void; size: number }, usize: number, name: string, at: number): Uint8Array {
    if (this.decompress === undefined) throw traceFileError(this.path, `section '${name}' is compressed but the file names no compression at offset ${hex(at)}`, at);
    let out: Uint8Array;
    try {
      out = src instanceof Uint8Array ? this.decompress.whole(src, usize) : this.decompress.wholeFrom(src.fill, src.size, usize);
    } catch (e) {
      if (e instanceof TraceFileError) throw e; // the compressed bytes did not read
      throw traceFileError(this.path, `section '${name}' does not decompress at offset ${hex(at)}: ${(e as Error).message}`, at, e);
    }
    if (out.length !== usize) throw traceFileError(this.path, `section '${name}' decompressed to ${out.length} bytes instead of ${usize} at offset ${hex(at)}`, at);
    return out;
  }

  /** Reads one OPTIONS section; returns the offset of the next one (0 at the end of the chain). */
  private async readOptionsSection(at: number): Promise<number> {
    const c = await this.sectionBody(at, OPTION.DONE, "options");
    for (;;) {
      const optAt = c.pos;
      const id = await c.u16();
      const size = c.checkCount(await c.u32(), 1, "option size", c.pos - 4);
      const payload = await c.bytes(size);
      if (id === OPTION.DONE) {
        if (size < 8) return 0;
        const v = new DataView(payload.buffer, payload.byteOffset, 8);
        const le = this.meta.littleEndian;
        return le ? v.getUint32(4, le) * 2 ** 32 + v.getUint32(0, le) : v.getUint32(0, le) * 2 ** 32 + v.getUint32(4, le);
      }
      this.applyOption(id, payload, optAt);
    }
  }

  private async readV7Buffer(payload: Uint8Array, at: number): Promise<TraceBufferInfo> {
    const c = ByteCursor.overBytes(payload, { path: this.path, section: "buffer option", compressedAt: at }, this.meta.littleEndian);
    const sectionAt = await c.u64();
    const name = await c.cstr();
    const clock = await c.cstr();
    const pageSize = await c.u32();
    if (pageSize < 64 || pageSize > 16 * 1024 * 1024) throw traceFileError(this.path, `buffer '${name}' has a bad page size ${pageSize} (option at offset ${hex(at)})`, at);
    const n = c.checkCount(await c.u32(), 20, "cpu count", c.pos - 4);
    const { flags } = await this.sectionHeader(sectionAt, OPTION.BUFFER, `buffer ${name}`);
    const compressed = (flags & SECTION_FLAG_COMPRESSED) !== 0;
    if (compressed && this.decompress === undefined) throw traceFileError(this.path, `buffer '${name}' is compressed but the file names no compression`, sectionAt);
    const cpus: TraceBufferInfo["cpus"] = [];
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const cpu = await c.u32();
      const fileOffset = await c.u64();
      const size = await c.u64();
      if (seen.has(cpu) || cpu >= MAX_CPUS) throw traceFileError(this.path, `buffer '${name}' lists cpu ${cpu} twice or out of range (option at offset ${hex(at)})`, at);
      seen.add(cpu);
      if (compressed) {
        if (size > 0 && fileOffset + 4 > this.fileSize) this.checkData(name, cpu, fileOffset, 4, at);
      } else {
        this.checkData(name, cpu, fileOffset, size, at);
      }
      cpus.push({ cpu, fileOffset, size });
    }
    cpus.sort((a, b) => a.cpu - b.cpu);
    return { name, clock: clock || "local", pageSize, cpus, compressed };
  }

  private async readV7Text(payload: Uint8Array, at: number): Promise<void> {
    const c = ByteCursor.overBytes(payload, { path: this.path, section: "buffer text option", compressedAt: at }, this.meta.littleEndian);
    const sectionAt = await c.u64();
    const name = await c.cstr();
    if (name !== "") return; // latency text of instances is not shown by report
    const { flags, start, size } = await this.sectionHeader(sectionAt, OPTION.BUFFER_TEXT, "buffer latency");
    const body = this.cursor("buffer latency", start, start + size);
    if ((flags & SECTION_FLAG_COMPRESSED) === 0) {
      this.meta.latencyText = await body.text(size);
      return;
    }
    const count = body.checkCount(await body.u32(), 8, "chunk count", start);
    let text = "";
    for (let i = 0; i < count; i++) {
      const chunkAt = body.pos;
      const csize = body.checkCount(await body.u32(), 1, "chunk size", chunkAt);
      const usize = await body.u32();
      if (usize > MAX_SECTION_BYTES) throw body.error(`has a bad chunk size ${usize}`, chunkAt);
      const out = this.decompressBlock(await body.bytes(csize), usize, "buffer latency", chunkAt);
      text += Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString("latin1");
    }
    this.meta.latencyText = text;
  }
}

/** Bytes of a format decoded at open: enough for the kernel's `name:` and `ID:` lines. */
const FORMAT_HEAD_BYTES = 96;

/** An event format of the file: its system, first bytes (latin1) and whole text for later (TraceMeta.eventFormats). */
interface FormatPart {
  system: string;
  head: string;
  text: LazyFormatText;
}

/** An event format entry whose text is read and decoded on first use. */
function lazyFormat(f: FormatPart): { system: string; text: string } {
  return {
    system: f.system,
    get text(): string {
      return f.text.text();
    },
  };
}

function startsWith(bytes: Uint8Array, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[i] !== word.charCodeAt(i)) return false;
  return true;
}

/** An open trace.dat file: metadata plus per-CPU record streams. Close it when done. */
export class TraceFile {
  readonly version: 6 | 7;
  readonly littleEndian: boolean;
  readonly longSize: 4 | 8;
  readonly pageSize: number;
  readonly compression: string;
  /** The CPU count report prints as cpus=N. */
  readonly cpus: number;
  /** Sub-buffer layout from header_page (pageSize = the file's page size). */
  readonly layout: PageLayout;
  readonly headerPage: string;
  readonly headerEvent: string;
  readonly ftraceFormats: readonly string[];
  readonly printkFormats: string;
  readonly savedCmdlines: string;
  readonly uname?: string;
  readonly traceCmdVersion?: string;
  /** Clock selected by a TRACECLOCK option (v6: by the clock block it enables), e.g. "local". */
  readonly traceClock?: string;
  /** v6: the whole trace_clock text stored after the flyrecord data (when a TRACECLOCK option enables it). */
  readonly traceClockText?: string;
  /** CPUSTAT payloads in file order (without their NUL). */
  readonly cpuStats: readonly string[];
  /** Every option record as read, in file order. */
  readonly options: readonly { id: number; payload: Uint8Array }[];
  /** [0] is the top buffer ""; instances follow. */
  readonly buffers: readonly TraceBufferInfo[];
  /** Text of a latency-format file. */
  readonly latencyText?: string;
  /** TSC2NSEC conversion, when the file has one. */
  readonly tsc2nsec?: Tsc2Nsec;
  /**
   * Sum of DATE×1000 (unless noDate) less dateSecs, OFFSET and --ts-offset: added to every timestamp
   * (unless rawTs).
   */
  readonly tsOffset: number;
  /**
   * Whole seconds of the DATE option that the timestamps leave out: with them, times of day in ns pass
   * 2^53 and lose their last digits. Printers add them to the seconds they show. 0 without DATE, with
   * noDate or rawTs.
   */
  readonly dateSecs: number;
  /** Page problems seen so far, by kind (each kind is also warned once). */
  readonly pageProblems = new Map<PageStatus, number>();

  private readonly adjust: ((ts: number) => number) | undefined;
  private readonly decompressor: BlockDecompressor | undefined;
  private eventTable: EventTable | undefined;
  private readonly formatParts: readonly FormatPart[];
  private formatEntries: readonly { system: string; text: string }[] | undefined;
  private kallsymsParsed: Kallsyms | undefined;
  private kallsymsSource: KallsymsBytes;
  private kallsymsText: string | undefined;
  private readonly extraKallsyms: string | undefined;
  private printkParsed: PrintkFormats | undefined;
  private taskNames: TaskNames | undefined;

  /** @internal Use openTrace(). */
  constructor(
    readonly path: string,
    private readonly fh: ReadHandle,
    private readonly fileSize: number,
    meta: TraceMeta,
    options: OpenTraceOptions,
    private readonly warn: (msg: string) => void,
  ) {
    this.version = meta.version;
    this.littleEndian = meta.littleEndian;
    this.longSize = meta.longSize;
    this.pageSize = meta.pageSize;
    this.compression = meta.compression;
    this.cpus = meta.cpus;
    this.headerPage = meta.headerPage;
    this.headerEvent = meta.headerEvent;
    this.ftraceFormats = meta.ftraceFormats;
    this.formatParts = meta.eventFormats;
    this.kallsymsSource = meta.kallsyms;
    this.extraKallsyms = options.extraKallsyms;
    this.printkFormats = meta.printkFormats;
    this.savedCmdlines = meta.savedCmdlines;
    if (meta.uname !== undefined) this.uname = meta.uname;
    if (meta.traceCmdVersion !== undefined) this.traceCmdVersion = meta.traceCmdVersion;
    if (meta.traceClock !== undefined) this.traceClock = meta.traceClock;
    if (meta.traceClockText !== undefined) this.traceClockText = meta.traceClockText;
    if (meta.latencyText !== undefined) this.latencyText = meta.latencyText;
    if (meta.tsc2nsec !== undefined) this.tsc2nsec = meta.tsc2nsec;
    this.cpuStats = meta.cpuStats;
    this.options = meta.options;
    this.buffers = meta.buffers;
    this.layout = { ...parseHeaderPage(meta.headerPage, meta.littleEndian, { longSize: meta.longSize, pageSize: meta.pageSize }), pageSize: meta.pageSize };
    if (this.layout.dataOffset >= meta.pageSize || this.layout.commitOffset + this.layout.commitSize > this.layout.dataOffset) {
      throw traceFileError(path, `section 'headers' has a header_page layout that does not fit a ${meta.pageSize}-byte page`);
    }
    const dateUs = options.noDate === true ? 0 : meta.dateUs;
    this.dateSecs = options.rawTs === true ? 0 : Math.floor(dateUs / 1e6);
    this.tsOffset = (dateUs - this.dateSecs * 1e6) * 1000 + meta.offset + (options.tsOffset ?? 0);
    this.adjust = options.rawTs === true ? undefined : makeAdjust(meta.tsc2nsec, this.tsOffset, options.ts2secsHz);
    this.decompressor = meta.decompress;
  }

  /** The event format texts of the file, by system (each text decoded on first use). */
  get eventFormats(): readonly { system: string; text: string }[] {
    return (this.formatEntries ??= this.formatParts.map(lazyFormat));
  }

  /** The event formats of the file (ftrace block as system "ftrace"), parsed on first use. */
  get events(): EventTable {
    if (this.eventTable === undefined) {
      const table = new EventTable({ littleEndian: this.littleEndian, longSize: this.longSize, kernelLongSize: this.layout.commitSize });
      for (const text of this.ftraceFormats) table.addFormat(text, "ftrace");
      // Only the name and ID are read now; the rest of a format when its event is used.
      for (const f of this.formatParts) table.addFormatLazy(f.head, f.text, f.system);
      this.eventTable = table;
    }
    return this.eventTable;
  }

  /** The kallsyms text (a compressed v7 section is decompressed on first use; throws TraceFileError if it is bad). */
  get kallsyms(): string {
    const b = this.kallsymsBytes();
    return (this.kallsymsText ??= Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1"));
  }

  private kallsymsBytes(): Uint8Array {
    if (typeof this.kallsymsSource === "function") this.kallsymsSource = this.kallsymsSource();
    const src = this.kallsymsSource;
    if (!(src instanceof Uint8Array)) {
      const bytes = new Uint8Array(src.size);
      if (src.size > 0) src.read(bytes, 0);
      this.kallsymsSource = bytes;
    }
    return this.kallsymsSource as Uint8Array;
  }

  /** The kallsyms text for the table: its reader while it has not been read whole (names are read when looked up). */
  private kallsymsForTable(): Uint8Array | KallsymsReader {
    if (typeof this.kallsymsSource === "function") this.kallsymsSource = this.kallsymsSource();
    const src = this.kallsymsSource;
    return typeof src === "object" && !(src instanceof Uint8Array) ? src : this.kallsymsBytes();
  }

  /** The kallsyms text as a lookup table, parsed on first use (from the bytes: no string of the whole text). */
  get kallsymsTable(): Kallsyms {
    const extra = this.extraKallsyms;
    // As trace-cmd reads a v6 file: the extra symbols are registered first, so where both have an
    // address the extra name is found (trace-cmd 3.1.6 adds them to a v7 file's table after it is built).
    return (this.kallsymsParsed ??= Kallsyms.parse(() => (extra === undefined ? this.kallsymsForTable() : extra.replace(/\n?$/, "\n") + this.kallsyms)));
  }

  /** The printk formats as a lookup table, parsed on first use. */
  get printk(): PrintkFormats {
    return (this.printkParsed ??= PrintkFormats.parse(this.printkFormats));
  }

  /** Task names from saved_cmdlines (one shared, growing table per file), made on first use. */
  get tasks(): TaskNames {
    return (this.taskNames ??= TaskNames.parse(this.savedCmdlines));
  }

  /** Records of one CPU of one buffer, in file order, streamed page batch by page batch (empty for a CPU without data). */
  cpuStream(bufferIndex: number, cpu: number): CpuStream {
    const b = this.buffers[bufferIndex];
    if (b === undefined) throw new RangeError(`no buffer ${bufferIndex} in '${this.path}'`);
    const e = b.cpus.find((x) => x.cpu === cpu);
    const layout = b.pageSize === this.layout.pageSize ? this.layout : { ...this.layout, pageSize: b.pageSize };
    const onProblem = (status: PageStatus, c: number, fileOffset: number): void => {
      const n = this.pageProblems.get(status) ?? 0;
      this.pageProblems.set(status, n + 1);
      if (n === 0) this.warn(`'${this.path}': cpu ${c}: bad page at offset ${hex(fileOffset)} skipped (${status})`);
    };
    if (e === undefined || e.size === 0) return new PageStream(undefined, layout, cpu, this.adjust, onProblem);
    const source = b.compressed
      ? new ChunkPageSource(this.fh, this.path, e.fileOffset, this.fileSize, b.pageSize, this.littleEndian, this.decompressor!)
      : new RawPageSource(this.fh, this.path, e.fileOffset, e.size, b.pageSize);
    return new PageStream(source, layout, cpu, this.adjust, onProblem);
  }

  /**
   * The raw ring-buffer pages of one CPU of one buffer (decompressed), in batches of whole pages; a batch
   * is valid until the next one is asked for. A partial last page comes zero-filled to a whole page.
   */
  async *cpuPages(bufferIndex: number, cpu: number): AsyncGenerator<Uint8Array> {
    const b = this.buffers[bufferIndex];
    if (b === undefined) throw new RangeError(`no buffer ${bufferIndex} in '${this.path}'`);
    const e = b.cpus.find((x) => x.cpu === cpu);
    if (e === undefined || e.size === 0) return;
    const source = b.compressed
      ? new ChunkPageSource(this.fh, this.path, e.fileOffset, this.fileSize, b.pageSize, this.littleEndian, this.decompressor!)
      : new RawPageSource(this.fh, this.path, e.fileOffset, e.size, b.pageSize);
    for (let batch = await source.next(); batch !== undefined; batch = await source.next()) {
      yield batch.buf.subarray(batch.base, batch.base + batch.pages * b.pageSize);
    }
  }

  /** Closes the file; streams must not be used afterwards. */
  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** The timestamp adjustment (format doc §6): --ts2secs or TSC2NSEC, then the offset; undefined when there is nothing to do. */
function makeAdjust(tsc: Tsc2Nsec | undefined, offset: number, ts2secsHz: number | undefined): ((ts: number) => number) | undefined {
  if (ts2secsHz !== undefined && ts2secsHz > 0) {
    const factor = 1e9 / ts2secsHz;
    return (ts) => Math.trunc(ts * factor) + offset;
  }
  if (tsc !== undefined && tsc.mult !== 0) {
    const { mult, shift } = tsc;
    const div = 2 ** shift;
    const bmult = BigInt(mult);
    const bshift = BigInt(shift);
    return (ts) => {
      const p = ts * mult;
      const ns = p < 2 ** 53 ? Math.floor(p / div) : Number((BigInt(ts) * bmult) >> bshift);
      return ns + offset;
    };
  }
  if (offset !== 0) return (ts) => ts + offset;
  return undefined;
}

function defaultWarning(message: string): void {
  process.stderr.write(`ftk: warning: ${message}\n`);
}

/**
 * Opens a trace.dat file (v6 or v7) and reads its metadata; throws TraceFileError when it cannot.
 * @example
 * const trace = await openTrace("trace.dat");
 * const s = trace.cpuStream(0, 0);
 * while (await s.advance()) console.log(s.record.ts);
 * await trace.close();
 */
export async function openTrace(path: string, options: OpenTraceOptions = {}): Promise<TraceFile> {
  const warn = options.onWarning ?? defaultWarning;
  let fh: ReadHandle;
  try {
    fh = await openForReading(path);
  } catch (e) {
    throw traceFileError(path, describeErrno(e), undefined, e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw traceFileError(path, "is a directory");
    const meta = await new MetaReader(fh, path, st.size, warn, options.ts2secsHz !== undefined).read();
    return new TraceFile(path, fh, st.size, meta, options, warn);
  } catch (e) {
    await fh.close().catch(() => undefined);
    if (e instanceof RangeError || e instanceof TypeError) {
      throw traceFileError(path, `unreadable structure (${e.message})`, undefined, e);
    }
    throw e;
  }
}
