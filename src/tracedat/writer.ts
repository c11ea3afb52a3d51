// trace.dat writer, versions 6 and 7, laid out as trace-cmd 3.1.6 writes them
// (../shared/docs/trace-dat-format.md §3, §4, §5, §7). Per-CPU data is streamed from files of raw
// ring-buffer pages (one per CPU, as read from trace_pipe_raw), never held in memory whole.
import { open, stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { endianness } from "node:os";
import { TraceFileError, UsageError, describeErrno } from "../base/index.js";
import { readFully } from "./byte-cursor.js";
import { MARKER, OPTION, SECTION_FLAG_COMPRESSED, TRACEDAT_MAGIC } from "./constants.js";
import { findBlockCompressor } from "./writer-compress.js";
import type { BlockCompressor, TraceDatCompression } from "./writer-compress.js";
import { BlockBuilder, FileSink } from "./writer-sink.js";

export type { TraceDatCompression } from "./writer-compress.js";

/** Text of a tracefs/procfs file: a string (written as latin1) or its raw bytes. */
export type TraceDatText = string | Uint8Array;

/** The metadata blocks of a trace.dat (format doc §3 blocks 1-6). */
export interface TraceDatMetadata {
  headerPage: TraceDatText;
  headerEvent: TraceDatText;
  /** Format files of the `ftrace` system. */
  ftraceFormats: readonly TraceDatText[];
  /** Format files of the other systems (never "ftrace"). */
  eventFormats: readonly { system: string; formats: readonly TraceDatText[] }[];
  kallsyms: TraceDatText;
  printkFormats: TraceDatText;
  savedCmdlines: TraceDatText;
}

/** The recorded data of one ftrace instance; the first buffer given to the writer is the top one (""). */
export interface TraceDatBuffer {
  /** Instance name, "" for the top instance. */
  name: string;
  /** Trace clock name without brackets, for example "local". */
  clock: string;
  /** Sub-buffer size of this instance. */
  pageSize: number;
  /** Index = CPU: path of a file holding that CPU's raw pages, or undefined when the CPU has none. */
  cpuFiles: readonly (string | undefined)[];
  /** Index = CPU: text of per_cpu/cpuN/stats taken at the end (stored as CPUSTAT options). */
  cpuStats?: readonly (string | undefined)[];
}

/** How the file is written. */
export interface TraceDatWriteOptions {
  /** 7 (default) or 6. */
  version?: 6 | 7;
  /** v7 only; default "zstd". Version 6 accepts only "none". */
  compression?: TraceDatCompression;
  /** Default: host byte order (the ring-buffer pages are in it). */
  littleEndian?: boolean;
  /** User-space long size for header byte 13; default 8. */
  longSize?: 4 | 8;
  /** Header page size (sub-buffer size of the top instance). */
  pageSize: number;
  /** Number of CPUs of the machine. */
  cpuCount: number;
  /** Full content of trace_clock (TRACECLOCK option); omitted when undefined. */
  traceClock?: string;
  /** "<sysname> <nodename> <release> <machine>" (UNAME option). */
  uname?: string;
  /** "<version> <git id>" (VERSION option). */
  traceCmdVersion?: string;
  /** Random session id (TRACEID option). */
  traceId?: bigint;
  /** DATE option: microseconds from the trace clock to the time of day, as C text ("0x..."). */
  date?: string;
  /** TSC2NSEC option: how a reader turns counter values into nanoseconds (`(ts * mult) >> shift`). */
  tsc2nsec?: { mult: number; shift: number; offset: bigint };
  /** Options copied as they are, after the ones above (convert and split keep what they do not rewrite). */
  extraOptions?: readonly { id: number; payload: Uint8Array }[];
  /** PROCMAPS payloads, one per process (format doc §6, without the final NUL). */
  procMaps?: readonly string[];
}

/** Where each CPU's data landed, for messages like trace-cmd's "CPU0 data recorded at offset". */
export interface TraceDatWriteResult {
  bytes: number;
  buffers: { name: string; cpus: { cpu: number; fileOffset: number; size: number; rawSize: number }[] }[];
}

interface CpuPlaced {
  cpu: number;
  fileOffset: number;
  size: number;
  rawSize: number;
}

const COPY_BYTES = 1 << 20;

function textBytes(t: TraceDatText): Uint8Array {
  return typeof t === "string" ? Buffer.from(t, "latin1") : t;
}

/** Option records collected for one OPTIONS list. */
class OptionList {
  readonly records: { id: number; payload: Uint8Array }[] = [];
  constructor(private readonly le: boolean) {}
  add(id: number, payload: Uint8Array): void {
    this.records.push({ id, payload });
  }
  str(id: number, s: string): void {
    this.add(id, Buffer.from(s + "\0", "latin1"));
  }
  u64(id: number, v: number | bigint): void {
    this.add(id, new BlockBuilder(this.le).u64(v).finish());
  }
  u32(id: number, v: number): void {
    this.add(id, new BlockBuilder(this.le).u32(v).finish());
  }
}

function metadataBlocks(meta: TraceDatMetadata, le: boolean) {
  const header = new BlockBuilder(le);
  const hp = textBytes(meta.headerPage);
  const he = textBytes(meta.headerEvent);
  header.cstr(MARKER.headerPage).u64(hp.length).bytes(hp).cstr(MARKER.headerEvent).u64(he.length).bytes(he);

  const ftrace = new BlockBuilder(le).u32(meta.ftraceFormats.length);
  for (const f of meta.ftraceFormats) {
    const b = textBytes(f);
    ftrace.u64(b.length).bytes(b);
  }

  const systems = meta.eventFormats.filter((s) => s.system !== "ftrace");
  const events = new BlockBuilder(le).u32(systems.length);
  for (const s of systems) {
    events.cstr(s.system).u32(s.formats.length);
    for (const f of s.formats) {
      const b = textBytes(f);
      events.u64(b.length).bytes(b);
    }
  }
  const ks = textBytes(meta.kallsyms);
  const pk = textBytes(meta.printkFormats);
  const cl = textBytes(meta.savedCmdlines);
  return {
    header: header.finish(),
    ftrace: ftrace.finish(),
    events: events.finish(),
    kallsyms: new BlockBuilder(le).u32(ks.length).bytes(ks).finish(),
    printk: new BlockBuilder(le).u32(pk.length).bytes(pk).finish(),
    cmdlines: new BlockBuilder(le).u64(cl.length).bytes(cl).finish(),
  };
}

/** CPUSTAT options: top buffer per CPU, then for each instance a "Buffer:" line and its CPUs. */
function addCpuStats(opts: OptionList, buffers: readonly TraceDatBuffer[]): void {
  for (const buf of buffers) {
    const stats = buf.cpuStats;
    if (stats === undefined) continue;
    if (buf.name !== "") opts.str(OPTION.CPUSTAT, `\nBuffer: ${buf.name}\n\n`);
    stats.forEach((text, cpu) => {
      if (text !== undefined) opts.str(OPTION.CPUSTAT, `CPU: ${cpu}\n${text}`);
    });
  }
}

async function fileSize(path: string | undefined): Promise<number> {
  if (path === undefined) return 0;
  try {
    return (await stat(path)).size;
  } catch (e) {
    throw new TraceFileError(`cannot read cpu data '${path}': ${describeErrno(e)}`, { path, cause: e });
  }
}

/** Copies one CPU file raw (v6 and uncompressed v7); returns bytes written. */
async function copyRaw(sink: FileSink, path: string, rawSize: number): Promise<number> {
  const fh = await open(path, "r");
  try {
    const buf = new Uint8Array(Math.min(COPY_BYTES, Math.max(rawSize, 1)));
    let done = 0;
    while (done < rawSize) {
      const got = await readFully(fh, buf, Math.min(buf.length, rawSize - done), done);
      if (got === 0) break;
      await sink.bytes(got === buf.length ? buf : buf.subarray(0, got));
      done += got;
    }
    return done;
  } finally {
    await fh.close();
  }
}

/**
 * Writes one CPU file as a chunk stream (format doc §5.2): u32 count, then per chunk of 10 pages
 * u32 compressed size, u32 raw size, data. Returns the size trace-cmd 3.1.6 records, which leaves
 * out the 4-byte count (the documented quirk).
 */
async function copyChunked(
  sink: FileSink,
  path: string,
  rawSize: number,
  pageSize: number,
  compressor: BlockCompressor,
): Promise<number> {
  const chunkBytes = pageSize * 10;
  const fh = await open(path, "r");
  try {
    const buf = new Uint8Array(chunkBytes);
    await sink.u32(Math.ceil(rawSize / chunkBytes));
    let done = 0;
    let size = 0;
    while (done < rawSize) {
      const want = Math.min(chunkBytes, rawSize - done);
      const got = await readFully(fh, buf, want, done);
      if (got !== want) throw new TraceFileError(`cpu data '${path}' shrank while writing the trace file`, { path });
      const packed = compressor.compress(buf.subarray(0, got));
      await sink.u32(packed.length);
      await sink.u32(got);
      await sink.bytes(packed);
      size += 8 + packed.length;
      done += got;
    }
    return size;
  } finally {
    await fh.close();
  }
}

/** Writes each CPU's data at page-aligned offsets (format doc §7.3). */
async function writeCpuData(
  sink: FileSink,
  buf: TraceDatBuffer,
  compressor: BlockCompressor | undefined,
  includeEmpty: boolean,
): Promise<CpuPlaced[]> {
  const placed: CpuPlaced[] = [];
  for (let cpu = 0; cpu < buf.cpuFiles.length; cpu++) {
    const path = buf.cpuFiles[cpu];
    const rawSize = await fileSize(path);
    if (rawSize === 0 || path === undefined) {
      if (includeEmpty) {
        await sink.padTo(buf.pageSize);
        placed.push({ cpu, fileOffset: sink.pos, size: 0, rawSize: 0 });
      }
      continue;
    }
    await sink.padTo(buf.pageSize);
    const fileOffset = sink.pos;
    const size =
      compressor === undefined
        ? await copyRaw(sink, path, rawSize)
        : await copyChunked(sink, path, rawSize, buf.pageSize, compressor);
    placed.push({ cpu, fileOffset, size, rawSize });
  }
  return placed;
}

function checkOptions(options: TraceDatWriteOptions, buffers: readonly TraceDatBuffer[]): void {
  if (buffers.length === 0 || buffers[0]!.name !== "") {
    throw new UsageError("trace file writer: the first buffer must be the top instance (name '')");
  }
  if ((options.version ?? 7) === 6 && (options.compression ?? "none") !== "none") {
    throw new UsageError(`compression '${options.compression}' needs --file-version 7`);
  }
}

/**
 * Writes a complete trace.dat to `path` (created or truncated).
 * @example
 * await writeTraceDat("trace.dat", meta, [{ name: "", clock: "local", pageSize: 4096, cpuFiles }],
 *   { pageSize: 4096, cpuCount: 2 });
 */
export async function writeTraceDat(
  path: string,
  meta: TraceDatMetadata,
  buffers: readonly TraceDatBuffer[],
  options: TraceDatWriteOptions,
): Promise<TraceDatWriteResult> {
  checkOptions(options, buffers);
  let fh: FileHandle;
  try {
    fh = await open(path, "w");
  } catch (e) {
    throw new TraceFileError(`cannot create '${path}': ${describeErrno(e)}`, { path, cause: e, code: "create" });
  }
  try {
    const le = options.littleEndian ?? endianness() === "LE";
    const sink = new FileSink(fh, le);
    const result =
      (options.version ?? 7) === 6
        ? await writeV6(sink, meta, buffers, options, le)
        : await writeV7(sink, meta, buffers, options, le);
    await sink.flush();
    return result;
  } catch (e) {
    if (e instanceof Error && "code" in e && typeof e.code === "string" && !(e instanceof TraceFileError)) {
      throw new TraceFileError(`cannot write '${path}': ${describeErrno(e)}`, { path, cause: e });
    }
    throw e;
  } finally {
    await fh.close();
  }
}

async function writeInitialHeader(sink: FileSink, version: number, le: boolean, options: TraceDatWriteOptions) {
  await sink.bytes(TRACEDAT_MAGIC);
  await sink.cstr(String(version));
  await sink.bytes(Uint8Array.of(le ? 0 : 1, options.longSize ?? 8));
  await sink.u32(options.pageSize);
}

function commonOptions(options: TraceDatWriteOptions, le: boolean): OptionList {
  const opts = new OptionList(le);
  if (options.traceClock !== undefined) opts.str(OPTION.TRACECLOCK, options.traceClock);
  if (options.uname !== undefined) opts.str(OPTION.UNAME, options.uname);
  if (options.traceCmdVersion !== undefined) opts.str(OPTION.VERSION, options.traceCmdVersion);
  if (options.traceId !== undefined) opts.u64(OPTION.TRACEID, options.traceId);
  if (options.date !== undefined) opts.str(OPTION.DATE, options.date);
  if (options.tsc2nsec !== undefined) {
    const payload = new Uint8Array(16);
    const view = new DataView(payload.buffer);
    view.setUint32(0, options.tsc2nsec.mult, le);
    view.setUint32(4, options.tsc2nsec.shift, le);
    view.setBigUint64(8, options.tsc2nsec.offset, le);
    opts.add(OPTION.TSC2NSEC, payload);
  }
  for (const o of options.extraOptions ?? []) opts.add(o.id, o.payload);
  return opts;
}

async function writeV6(
  sink: FileSink,
  meta: TraceDatMetadata,
  buffers: readonly TraceDatBuffer[],
  options: TraceDatWriteOptions,
  le: boolean,
): Promise<TraceDatWriteResult> {
  await writeInitialHeader(sink, 6, le, options);
  const blocks = metadataBlocks(meta, le);
  for (const b of [blocks.header, blocks.ftrace, blocks.events, blocks.kallsyms, blocks.printk, blocks.cmdlines]) {
    await sink.bytes(b);
  }
  await sink.u32(options.cpuCount);

  const opts = commonOptions(options, le);
  addCpuStats(opts, buffers);
  for (const m of options.procMaps ?? []) opts.str(OPTION.PROCMAPS, m);
  await sink.cstr(MARKER.options);
  for (const r of opts.records) {
    await sink.u16(r.id);
    await sink.u32(r.payload.length);
    await sink.bytes(r.payload);
  }
  // v6 BUFFER options: u64 offset (patched once known) + name (format doc §3.4).
  const bufferOffsetAt: number[] = [];
  for (const buf of buffers.slice(1)) {
    const nameBytes = Buffer.from(buf.name + "\0", "latin1");
    await sink.u16(OPTION.BUFFER);
    await sink.u32(8 + nameBytes.length);
    bufferOffsetAt.push(sink.pos);
    await sink.u64(0);
    await sink.bytes(nameBytes);
  }
  await sink.u16(OPTION.DONE);

  const result: TraceDatWriteResult = { bytes: 0, buffers: [] };
  for (let i = 0; i < buffers.length; i++) {
    const buf = buffers[i]!;
    if (i > 0) await sink.patchU64(bufferOffsetAt[i - 1]!, sink.pos);
    await sink.cstr(MARKER.flyrecord);
    const tableAt = sink.pos;
    for (let cpu = 0; cpu < options.cpuCount; cpu++) {
      await sink.u64(0);
      await sink.u64(0);
    }
    const clock = Buffer.from(`[${buf.clock}]`, "latin1");
    await sink.u64(clock.length);
    await sink.bytes(clock);
    const files = Array.from({ length: options.cpuCount }, (_, cpu) => buf.cpuFiles[cpu]);
    const placed = await writeCpuData(sink, { ...buf, cpuFiles: files }, undefined, true);
    for (const p of placed) {
      const entry = new BlockBuilder(le).u64(p.fileOffset).u64(p.size).finish();
      await sink.patch(tableAt + 16 * p.cpu, entry);
    }
    result.buffers.push({ name: buf.name, cpus: placed });
  }
  result.bytes = sink.pos;
  return result;
}

/** Section writer state for v7: the string table of section descriptions. */
class SectionWriter {
  private readonly strings: string[] = [];
  private stringsLength = 0;
  constructor(
    private readonly sink: FileSink,
    private readonly compressor: BlockCompressor | undefined,
  ) {}

  private description(text: string): number {
    const at = this.stringsLength;
    this.strings.push(text);
    this.stringsLength += Buffer.byteLength(text, "latin1") + 1;
    return at;
  }

  /** Writes a section header; returns its offset. `size` may be patched later (at offset + 8). */
  async header(id: number, flags: number, desc: string, size: number): Promise<number> {
    const at = this.sink.pos;
    await this.sink.u16(id);
    await this.sink.u16(flags);
    await this.sink.u32(this.description(desc));
    await this.sink.u64(size);
    return at;
  }

  /** Writes a whole section, compressed as one block when compression is on; returns its offset. */
  async section(id: number, desc: string, body: Uint8Array | (() => Uint8Array)): Promise<number> {
    const at = this.sink.pos;
    const descAt = this.description(desc);
    const raw = typeof body === "function" ? body() : body;
    const packed = this.compressor?.compress(raw);
    await this.sink.u16(id);
    await this.sink.u16(packed === undefined ? 0 : SECTION_FLAG_COMPRESSED);
    await this.sink.u32(descAt);
    if (packed === undefined) {
      await this.sink.u64(raw.length);
      await this.sink.bytes(raw);
    } else {
      await this.sink.u64(8 + packed.length);
      await this.sink.u32(packed.length);
      await this.sink.u32(raw.length);
      await this.sink.bytes(packed);
    }
    return at;
  }

  /** Appends the STRINGS section (format doc §4.5); it names itself last. */
  async writeStrings(): Promise<void> {
    await this.section(OPTION.STRINGS, "strings", () =>
      Buffer.from(this.strings.map((s) => s + "\0").join(""), "latin1"),
    );
  }
}

async function writeV7(
  sink: FileSink,
  meta: TraceDatMetadata,
  buffers: readonly TraceDatBuffer[],
  options: TraceDatWriteOptions,
  le: boolean,
): Promise<TraceDatWriteResult> {
  const compressor = await findBlockCompressor(options.compression ?? "zstd");
  await writeInitialHeader(sink, 7, le, options);
  await sink.cstr(compressor?.name ?? "none");
  await sink.cstr(compressor?.version ?? "");
  const firstOptionsAt = sink.pos;
  await sink.u64(0);

  const sections = new SectionWriter(sink, compressor);
  const blocks = metadataBlocks(meta, le);
  const opts = new OptionList(le);
  opts.u64(OPTION.HEADER_INFO, await sections.section(OPTION.HEADER_INFO, "headers", blocks.header));
  opts.u64(OPTION.FTRACE_EVENTS, await sections.section(OPTION.FTRACE_EVENTS, "ftrace events", blocks.ftrace));
  opts.u64(OPTION.EVENT_FORMATS, await sections.section(OPTION.EVENT_FORMATS, "events format", blocks.events));
  opts.u64(OPTION.KALLSYMS, await sections.section(OPTION.KALLSYMS, "kallsyms", blocks.kallsyms));
  opts.u64(OPTION.PRINTK, await sections.section(OPTION.PRINTK, "printk", blocks.printk));
  opts.records.push(...commonOptions(options, le).records);
  addCpuStats(opts, buffers);
  for (const m of options.procMaps ?? []) opts.str(OPTION.PROCMAPS, m);
  opts.u64(OPTION.CMDLINES, await sections.section(OPTION.CMDLINES, "command lines", blocks.cmdlines));
  opts.u32(OPTION.CPUCOUNT, options.cpuCount);

  // Each OPTIONS section ends with DONE whose u64 points at the next OPTIONS section (0 = last).
  let doneNextAt = -1;
  const writeOptions = async (list: OptionList): Promise<void> => {
    const body = new BlockBuilder(le);
    for (const r of list.records) body.u16(r.id).u32(r.payload.length).bytes(r.payload);
    body.u16(OPTION.DONE).u32(8);
    const at = await sections.header(OPTION.DONE, 0, "options", body.size + 8);
    await sink.bytes(body.finish());
    if (doneNextAt < 0) await sink.patchU64(firstOptionsAt, at);
    else await sink.patchU64(doneNextAt, at);
    doneNextAt = sink.pos;
    await sink.u64(0);
  };
  await writeOptions(opts);

  const result: TraceDatWriteResult = { bytes: 0, buffers: [] };
  for (const buf of buffers) {
    const flags = compressor === undefined ? 0 : SECTION_FLAG_COMPRESSED;
    const sectionAt = await sections.header(OPTION.BUFFER, flags, `buffer flyrecord ${buf.name}`, 0);
    const placed = await writeCpuData(sink, buf, compressor, false);
    // The section size covers everything up to the end of the last CPU's data (chunk count included).
    await sink.patchU64(sectionAt + 8, sink.pos - (sectionAt + 16));
    const payload = new BlockBuilder(le).u64(sectionAt).cstr(buf.name).cstr(buf.clock).u32(buf.pageSize);
    payload.u32(placed.length);
    for (const p of placed) payload.u32(p.cpu).u64(p.fileOffset).u64(p.size);
    const list = new OptionList(le);
    list.add(OPTION.BUFFER, payload.finish());
    await writeOptions(list);
    result.buffers.push({ name: buf.name, cpus: placed });
  }
  await sections.writeStrings();
  result.bytes = sink.pos;
  return result;
}
