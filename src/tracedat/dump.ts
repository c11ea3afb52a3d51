// `dump` (trace-cmd 3.1.6 dump): one walk over a trace.dat's metadata in file order, printing the parts
// that were asked for (trace-dat-format.md §2-§5). Each printed line belongs to one or more parts; the
// summary is the default. Version 7 files are read as trace-cmd reads them: the STRINGS sections first,
// then every section header back to back, then the OPTIONS chain, then the metadata sections that the
// options point to (the last one found first).
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { UsageError } from "../base/index.js";
import { hex, traceFileError } from "./byte-cursor.js";
import { OPTION, SECTION_FLAG_COMPRESSED } from "./constants.js";
import { findDecompressor } from "./decompress.js";
import type { BlockDecompressor } from "./decompress.js";

/** The parts of a file `dump` prints, by their flag names (trace-cmd dump --help). */
export const DUMP_PARTS = [
  "summary",
  "head-page",
  "head-event",
  "ftrace-events",
  "systems",
  "events",
  "kallsyms",
  "printk",
  "cmd-lines",
  "options",
  "flyrecord",
  "clock",
  "sections",
  "strings",
] as const;
export type DumpPart = (typeof DUMP_PARTS)[number];

/** What dumpTraceDat() prints. */
export interface DumpOptions {
  /** The parts to print; none (and no validate) means the summary. `all` prints every part. */
  parts?: Iterable<DumpPart | "all">;
  /** Ends with "File PATH is a valid trace-cmd file" (`-v`). */
  validate?: boolean;
}

const P = Object.fromEntries(DUMP_PARTS.map((p, i) => [p, 1 << i])) as Record<DumpPart, number>;
/** Option ids up to here are known to trace-cmd 3.1.6; later ones are "unknown" to it. */
const LAST_KNOWN_OPTION = OPTION.BUFFER_TEXT;
const STRING_MAX = 1024;
/** trace-cmd prints text in pieces of this many bytes, each up to its first NUL. */
const TEXT_PIECE = 1023;
const WINDOW_BYTES = 64 * 1024;
/** Larger than any metadata block (kallsyms is a few MB): a bigger size is corrupt. */
const MAX_BLOCK_BYTES = 1024 * 1024 * 1024;

const SECTION_OPTIONS: Partial<Record<number, { name: string; parts: number }>> = {
  [OPTION.HEADER_INFO]: { name: "HEADERS", parts: P["head-page"] | P["head-event"] },
  [OPTION.FTRACE_EVENTS]: { name: "FTRACE EVENTS", parts: P["ftrace-events"] },
  [OPTION.EVENT_FORMATS]: { name: "EVENT FORMATS", parts: P.systems | P.events },
  [OPTION.KALLSYMS]: { name: "KALLSYMS", parts: P.kallsyms },
  [OPTION.PRINTK]: { name: "PRINTK", parts: P.printk },
  [OPTION.CMDLINES]: { name: "CMDLINES", parts: P["cmd-lines"] },
};
const TEXT_OPTIONS: Partial<Record<number, string>> = {
  [OPTION.DATE]: "DATE",
  [OPTION.CPUSTAT]: "CPUSTAT",
  [OPTION.UNAME]: "UNAME",
  [OPTION.HOOK]: "HOOK",
  [OPTION.OFFSET]: "OFFSET",
  [OPTION.VERSION]: "VERSION",
  [OPTION.PROCMAPS]: "PROCMAPS",
};

/** Reads the file in order, or a decompressed block while one is open (as trace-cmd does). */
class Reader {
  pos = 0;
  private block: Buffer | undefined;
  private blockPos = 0;
  private win = Buffer.alloc(0);
  private winStart = 0;
  littleEndian = true;
  decompress: BlockDecompressor | undefined;

  constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly size: number,
  ) {}

  async bytes(n: number, what: string): Promise<Buffer> {
    if (this.block !== undefined) {
      if (this.blockPos + n > this.block.length) throw traceFileError(this.path, `cannot read ${what}: the compressed block ends first`);
      const b = this.block.subarray(this.blockPos, this.blockPos + n);
      this.blockPos += n;
      return b;
    }
    if (n < 0 || this.pos + n > this.size) throw traceFileError(this.path, `cannot read ${what} at offset ${hex(this.pos)}: the file ends first`, this.pos);
    // Metadata is many small fields: read a window ahead rather than one small read each.
    if (this.pos < this.winStart || this.pos + n > this.winStart + this.win.length) {
      const len = Math.min(Math.max(n, WINDOW_BYTES), this.size - this.pos);
      const win = Buffer.alloc(len);
      await this.fh.read(win, 0, len, this.pos);
      this.win = win;
      this.winStart = this.pos;
    }
    const at = this.pos - this.winStart;
    this.pos += n;
    return this.win.subarray(at, at + n);
  }

  /** True at the end of the file (no block open). */
  get atEnd(): boolean {
    return this.block === undefined && this.pos >= this.size;
  }

  async u(n: 1 | 2 | 4 | 8, what: string): Promise<number> {
    const b = await this.bytes(n, what);
    return unsigned(b, 0, n, this.littleEndian);
  }

  async u64(what: string): Promise<bigint> {
    const b = await this.bytes(8, what);
    return this.littleEndian ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0);
  }

  /** A NUL-terminated string of at most 1024 bytes with its NUL. */
  async cstr(what: string): Promise<string> {
    const out: number[] = [];
    for (;;) {
      const c = (await this.bytes(1, what))[0]!;
      if (c === 0) return Buffer.from(out).toString("latin1");
      out.push(c);
      if (out.length >= STRING_MAX) throw traceFileError(this.path, `cannot read ${what}: no NUL in ${STRING_MAX} bytes`);
    }
  }

  /** Opens the compressed block here (u32 compressed size, u32 size, data). */
  async openBlock(what: string): Promise<void> {
    if (this.decompress === undefined) throw traceFileError(this.path, `cannot read ${what}: its section is compressed but the file names no known algorithm`, this.pos);
    const csize = await this.u(4, what);
    const rsize = await this.u(4, what);
    const at = this.pos - 8;
    const src = await this.bytes(csize, what);
    if (rsize > MAX_BLOCK_BYTES) throw traceFileError(this.path, `cannot decompress ${what} at offset ${hex(at)}: it claims ${rsize} bytes`, at);
    const dst = Buffer.alloc(rsize);
    let got: number;
    try {
      got = this.decompress(src, dst);
    } catch (e) {
      throw traceFileError(this.path, `cannot decompress ${what} at offset ${hex(at)}: ${(e as Error).message}`, at, e);
    }
    if (got !== rsize) throw traceFileError(this.path, `cannot decompress ${what} at offset ${hex(at)}`, at);
    this.block = dst;
    this.blockPos = 0;
  }

  closeBlock(): void {
    this.block = undefined;
  }

  /** The rest of the open block. */
  restOfBlock(): Buffer {
    const b = this.block?.subarray(this.blockPos) ?? Buffer.alloc(0);
    this.blockPos += b.length;
    return b;
  }

  /** Reads with the open block (if any) set aside: a section header elsewhere in the file. */
  async aside<T>(pos: number, read: () => Promise<T>): Promise<T> {
    const { block, blockPos } = this;
    const back = this.pos;
    this.block = undefined;
    this.pos = pos;
    try {
      return await read();
    } finally {
      this.block = block;
      this.blockPos = blockPos;
      this.pos = back;
    }
  }
}

function unsigned(b: Buffer, at: number, n: number, le: boolean): number {
  switch (n) {
    case 1:
      return b[at]!;
    case 2:
      return le ? b.readUInt16LE(at) : b.readUInt16BE(at);
    case 4:
      return le ? b.readUInt32LE(at) : b.readUInt32BE(at);
    default: {
      const v = le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
      return Number(v);
    }
  }
}

const s32 = (v: number): number => v | 0;
/** `%lld` of an unsigned 64-bit value. */
const lld = (v: bigint): string => BigInt.asIntN(64, v).toString();
/** `%10.lld`: width 10, precision 0 (a zero prints as blanks). */
const w10 = (v: bigint): string => (v === 0n ? "" : lld(v)).padStart(10);

/** The walk over one file, with the parts to print. */
class Dumper {
  private readonly out: string[] = [];
  private version = 0;
  private cpus = 0;
  private hasClock = false;
  private strings = Buffer.alloc(0);
  /** Metadata sections the options point to, the last found first. */
  private sections: { id: number; offset: bigint; parts: number }[] = [];

  constructor(
    private readonly r: Reader,
    private readonly parts: number,
  ) {}

  /** Prints when `parts` is 0 (always) or shares a part with the ones asked for. */
  private print(parts: number, text: string): void {
    if (parts === 0 || (parts & this.parts) !== 0) this.out.push(text);
  }

  /** Text of `size` bytes, printed in 1023-byte pieces, each up to its first NUL, then a newline. */
  private async text(size: number, parts: number, what: string): Promise<void> {
    const b = await this.r.bytes(size, what);
    if (parts === 0 || (parts & this.parts) !== 0) {
      const piece = size < TEXT_PIECE + 1 ? size : TEXT_PIECE;
      for (let at = 0; at < size; at += piece) {
        const end = Math.min(size, at + piece);
        const nul = b.indexOf(0, at);
        this.out.push(b.toString("latin1", at, nul >= 0 && nul < end ? nul : end));
      }
    }
    this.print(parts, "\n");
  }

  async run(): Promise<string> {
    const r = this.r;
    this.print(P.summary, `\n Tracing meta data in file ${r.path}:\n`);
    await this.initialFormat();
    if (this.version >= 7) await this.v7();
    else await this.v6();
    return this.out.join("");
  }

  private async initialFormat(): Promise<void> {
    const r = this.r;
    this.print(P.summary, "\t[Initial format]\n");
    const magic = await r.bytes(3, "the magic");
    if (magic[0] !== 0x17 || magic[1] !== 0x08 || magic[2] !== 0x44) throw traceFileError(r.path, "not a trace.dat file: wrong magic (give a file written by trace-cmd or ftk record)", 0);
    const tracing = await r.bytes(7, "the 'tracing' string");
    if (tracing.toString("latin1") !== "tracing") throw traceFileError(r.path, "not a trace.dat file: no 'tracing' string after the magic", 3);
    const version = await r.cstr("the version string");
    this.print(P.summary, `\t\t${version}\t[Version]\n`);
    this.version = Number.parseInt(version, 10);
    if (this.version !== 6 && this.version !== 7) throw traceFileError(r.path, `file version '${version}' is not supported (ftk reads versions 6 and 7)`);
    const endian = (await r.bytes(1, "the endianness"))[0]!;
    this.print(P.summary, `\t\t${endian}\t[${endian !== 0 ? "Big" : "Little"} endian]\n`);
    r.littleEndian = endian === 0;
    const longSize = (await r.bytes(1, "the long size"))[0]!;
    this.print(P.summary, `\t\t${longSize}\t[Bytes in a long]\n`);
    this.print(P.summary, `\t\t${s32(await r.u(4, "the page size"))}\t[Page size, bytes]\n`);
    if (this.version < 7) return;
    const name = await r.cstr("the compression name");
    const ver = await r.cstr("the compression version");
    this.print(P.summary, `\t\t${name}\t[Compression algorithm]\n`);
    this.print(P.summary, `\t\t${ver}\t[Compression version]\n`);
    if (name !== "none") {
      r.decompress = await findDecompressor(name);
      if (r.decompress === undefined) throw traceFileError(r.path, `unknown compression '${name}' (ftk knows zstd and zlib)`);
    }
  }

  private async headerPage(): Promise<void> {
    await this.headerBlock("header_page", P.summary | P["head-page"], "Header page", P["head-page"]);
  }

  private async headerEvent(): Promise<void> {
    await this.headerBlock("header_event", P.summary | P["head-event"], "Header event", P["head-event"]);
  }

  private async headerBlock(marker: string, parts: number, label: string, textParts: number): Promise<void> {
    const r = this.r;
    this.print(parts, `\t[${label}, `);
    const m = await r.bytes(marker.length + 1, `the ${marker} marker`);
    if (m.toString("latin1", 0, marker.length) !== marker) throw traceFileError(r.path, `no '${marker}' marker where the headers start`);
    const size = Number(await r.u64(`the ${marker} size`));
    this.print(parts, `${size} bytes]\n`);
    await this.text(size, textParts, marker);
  }

  private async ftraceEvents(): Promise<void> {
    const r = this.r;
    const parts = P.summary | P["ftrace-events"];
    this.print(parts, "\t[Ftrace format, ");
    const count = await r.u(4, "the ftrace event count");
    this.print(parts, `${s32(count)} events]\n`);
    for (let i = 0; i < count; i++) await this.text(Number(await r.u64("an ftrace format size")), P["ftrace-events"], "an ftrace format");
  }

  private async eventFormats(): Promise<void> {
    const r = this.r;
    const parts = P.summary | P.events | P.systems;
    this.print(parts, "\t[Events format, ");
    const systems = await r.u(4, "the event system count");
    this.print(parts, `${s32(systems)} systems]\n`);
    for (let s = 0; s < systems; s++) {
      const name = await r.cstr("an event system name");
      const events = await r.u(4, `the event count of system '${name}'`);
      this.print(P.systems, `\t\t${name} ${s32(events)} [system, events]\n`);
      for (let e = 0; e < events; e++) await this.text(Number(await r.u64("an event format size")), P.events, `an event format of system '${name}'`);
    }
  }

  private async sizedText(label: string, sizeBytes: 4 | 8, part: DumpPart): Promise<void> {
    const parts = P.summary | P[part];
    this.print(parts, `\t[${label}, `);
    const size = sizeBytes === 4 ? await this.r.u(4, `the ${label} size`) : Number(await this.r.u64(`the ${label} size`));
    this.print(parts, `${sizeBytes === 4 ? s32(size) : size} bytes]\n`);
    await this.text(size, P[part], label);
  }

  private async v6(): Promise<void> {
    const r = this.r;
    await this.headerPage();
    await this.headerEvent();
    await this.ftraceEvents();
    await this.eventFormats();
    await this.sizedText("Kallsyms", 4, "kallsyms");
    await this.sizedText("Trace printk", 4, "printk");
    await this.sizedText("Saved command lines", 8, "cmd-lines");
    this.cpus = await r.u(4, "the CPU count");
    this.print(P.summary, `\t${s32(this.cpus)} [CPUs with tracing data]\n`);
    for (;;) {
      if (r.pos + 10 > r.size) throw traceFileError(r.path, `cannot read the next block name at offset ${hex(r.pos)}: the file ends first`, r.pos);
      const name = (await r.bytes(10, "the next block name")).toString("latin1");
      if (name === "options  \0") await this.options();
      else if (name === "latency  \0") this.print(P.summary, "\t[Latency tracing data]\n");
      else if (name === "flyrecord\0") await this.flyrecord();
      else break;
    }
  }

  private async flyrecord(): Promise<void> {
    const r = this.r;
    this.print(P.summary | P.flyrecord, "\t[Flyrecord tracing data]\n");
    for (let i = 0; i < this.cpus; i++) {
      const offset = await r.u64(`the offset of cpu ${i}`);
      const size = await r.u64(`the size of cpu ${i}`);
      this.print(P.flyrecord, `\t ${w10(offset)} ${w10(size)}\t[offset, size of cpu ${i}]\n`);
    }
    const parts = P.summary | P.clock;
    this.print(parts, "\t[Tracing clock]\n");
    if (!this.hasClock) {
      this.print(parts, "\t\t No tracing clock saved in the file\n");
      return;
    }
    const size = Number(await r.u64("the clock size"));
    const text = await r.bytes(size, "the clock text");
    const nul = text.indexOf(0);
    this.print(parts, `\t\t${text.toString("latin1", 0, nul >= 0 ? nul : size)}\n`);
  }

  private stringAt(id: number): string {
    if (id < 0 || id >= this.strings.length) return "Unknown";
    const nul = this.strings.indexOf(0, id);
    return this.strings.toString("latin1", id, nul >= 0 ? nul : this.strings.length);
  }

  private async sectionHeader(parts: number): Promise<number> {
    const r = this.r;
    const at = r.pos;
    const id = await r.u(2, "a section id");
    const flags = await r.u(2, "section flags");
    const desc = s32(await r.u(4, "a section description"));
    const size = await r.u64("a section size");
    this.print(parts, `\t[Section ${id} @ ${at}: "${this.stringAt(desc)}", flags 0x${flags.toString(16).toUpperCase()}, ${lld(size)} bytes]\n`);
    return flags;
  }

  private async v7(): Promise<void> {
    const r = this.r;
    const firstOptions = Number(await r.u64("the offset of the first options"));
    const dataStart = r.pos;
    // The STRINGS sections first: section headers name themselves through them.
    const headers: { at: number; id: number; flags: number; desc: number; size: number }[] = [];
    for (let at = dataStart; at + 2 <= r.size; ) {
      r.pos = at;
      if (at + 16 > r.size) throw traceFileError(r.path, `section header at offset ${hex(at)} is cut short`, at);
      const id = await r.u(2, "a section id");
      const flags = await r.u(2, "section flags");
      const desc = s32(await r.u(4, "a section description"));
      const size = Number(await r.u64("a section size"));
      headers.push({ at, id, flags, desc, size });
      if (id === OPTION.STRINGS) {
        let body: Buffer;
        if ((flags & SECTION_FLAG_COMPRESSED) !== 0) {
          await r.openBlock("the strings section");
          body = r.restOfBlock();
          r.closeBlock();
        } else body = await r.bytes(Math.min(size, r.size - r.pos), "the strings section");
        this.print(P.strings, "\t[String @ offset]\n");
        for (let p = 0; p < body.length; ) {
          const nul = body.indexOf(0, p);
          const end = nul >= 0 ? nul : body.length;
          this.print(P.strings, `\t\t"${body.toString("latin1", p, end)}" @ ${this.strings.length + p}\n`);
          p = end + 1;
        }
        this.strings = Buffer.concat([this.strings, body]);
      }
      at += 16 + size;
    }
    for (const h of headers) {
      const desc = this.stringAt(h.desc);
      if (h.id > LAST_KNOWN_OPTION) this.print(P.sections, `Unknown section id ${h.id}: ${desc}`);
      const where = `${String(h.id).padStart(2)} @ ${String(h.at).padEnd(16)}\t"${desc}", flags 0x${h.flags.toString(16).toUpperCase()}`;
      if ((h.flags & SECTION_FLAG_COMPRESSED) === 0) this.print(P.sections, `\t[Section ${where}, ${h.size} bytes]\n`);
      else if (h.id === OPTION.BUFFER || h.id === OPTION.BUFFER_TEXT) this.print(P.sections, `\t[Section ${where}, ${h.size} compressed bytes]\n`);
      else {
        r.pos = h.at + 16;
        const csize = s32(await r.u(4, "a compressed size"));
        const rsize = s32(await r.u(4, "an uncompressed size"));
        this.print(P.sections, `\t[Section ${where}, ${csize} compressed, ${rsize} uncompressed]\n`);
      }
    }
    r.pos = firstOptions;
    await this.options();
    for (const s of this.sections) {
      r.pos = Number(s.offset);
      const flags = await this.sectionHeader(s.parts);
      if ((flags & SECTION_FLAG_COMPRESSED) !== 0) await r.openBlock(`section ${s.id}`);
      switch (s.id) {
        case OPTION.HEADER_INFO:
          await this.headerPage();
          await this.headerEvent();
          break;
        case OPTION.FTRACE_EVENTS:
          await this.ftraceEvents();
          break;
        case OPTION.EVENT_FORMATS:
          await this.eventFormats();
          break;
        case OPTION.KALLSYMS:
          await this.sizedText("Kallsyms", 4, "kallsyms");
          break;
        case OPTION.PRINTK:
          await this.sizedText("Trace printk", 4, "printk");
          break;
        case OPTION.CMDLINES:
          await this.sizedText("Saved command lines", 8, "cmd-lines");
          break;
      }
      r.closeBlock();
    }
    this.print(P.summary | P.sections, `\t[${headers.length} sections]\n`);
  }

  /** The options (v6: one block; v7: an OPTIONS section and the ones it chains to), then their count. */
  private async options(): Promise<void> {
    const count = await this.optionList();
    this.print(P.summary | P.options, `\t[${count} options]\n`);
  }

  private async optionList(): Promise<number> {
    const r = this.r;
    let count = 0;
    const seen = new Set<bigint>([BigInt(r.pos)]);
    for (;;) {
      if (this.version >= 7) {
        const flags = await this.sectionHeader(P.options);
        if ((flags & SECTION_FLAG_COMPRESSED) !== 0) await r.openBlock("the options section");
      }
      let next = 0n;
      for (;;) {
        const id = await r.u(2, "an option id");
        if (id === OPTION.DONE && this.version < 7) break;
        const size = await r.u(4, "an option size");
        count++;
        if (id === OPTION.DONE) {
          this.print(P.options, `\t\t[Option DONE, ${s32(size)} bytes]\n`);
          if (size >= 8) {
            next = await r.u64("the next options offset");
            this.print(P.options, `${lld(next)}\n`);
          }
          break;
        }
        const payload = await r.bytes(size, `option ${id}`);
        await this.option(id, payload);
      }
      r.closeBlock();
      if (next === 0n || this.version < 7) return count;
      // A chain that comes back to an options section it has read is corrupt (trace-cmd would recurse forever).
      if (seen.has(next)) throw traceFileError(r.path, `the options chain loops back to offset ${hex(Number(next))}`, Number(next));
      seen.add(next);
      r.pos = Number(next);
      this.print(P.options, "\n\n");
    }
  }

  private async option(id: number, b: Buffer): Promise<void> {
    const le = this.r.littleEndian;
    const size = b.length;
    const head = (name: string): void => this.print(P.options, `\t\t[Option ${name}, ${size} bytes]\n`);
    const num = (at: number, n: 4 | 8): number => (at + n <= size ? unsigned(b, at, n, le) : 0);
    const big = (at: number): bigint => (at + 8 <= size ? (le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : 0n);
    const cstr = (at: number): { text: string; next: number } => {
      const nul = b.indexOf(0, at);
      const end = nul >= 0 ? nul : size;
      return { text: b.toString("latin1", at, end), next: end + 1 };
    };
    const textName = TEXT_OPTIONS[id];
    const section = SECTION_OPTIONS[id];
    if (textName !== undefined) {
      head(textName);
      if (size > 0) this.printText(b, P.options);
    } else if (section !== undefined) {
      const offset = big(0);
      this.sections.unshift({ id, offset, parts: section.parts });
      this.print(P.options, `\t\t[Option ${section.name}, ${size} bytes] @ ${lld(offset)}\n`);
    } else if (id === OPTION.TRACECLOCK) {
      head("TRACECLOCK");
      this.printText(b, P.options | P.clock);
      this.hasClock = true;
    } else if (id === OPTION.BUFFER || id === OPTION.BUFFER_TEXT) {
      await this.bufferOption(id, b, cstr, num, big);
    } else if (id === OPTION.CPUCOUNT) {
      head("CPUCOUNT");
      this.print(P.options, `${s32(num(0, 4))}\n`);
    } else if (id === OPTION.TRACEID) {
      head("TRACEID");
      this.print(P.options, `0x${big(0).toString(16).toUpperCase()}\n`);
    } else if (id === OPTION.TIME_SHIFT) {
      this.timeShift(b, num, big);
    } else if (id === OPTION.GUEST) {
      head("GUEST");
      const name = cstr(0);
      this.print(P.options, `${name.text} [Guest name]\n`);
      let p = name.next;
      if (p + 8 > size) return;
      this.print(P.options, `0x${big(p).toString(16).toUpperCase()} [trace id]\n`);
      p += 8;
      if (p + 4 > size) return;
      const cpus = s32(num(p, 4));
      this.print(P.options, `${cpus} [Guest CPUs]\n`);
      p += 4;
      for (let i = 0; i < cpus && p + 8 <= size; i++, p += 8) this.print(P.options, `  ${s32(num(p, 4))} ${s32(num(p + 4, 4))} [guest cpu, host pid]\n`);
    } else if (id === OPTION.TSC2NSEC) {
      this.print(P.options, `\n\t\t[Option TSC2NSEC, ${size} bytes]\n`);
      this.print(P.options, `${s32(num(0, 4))} ${s32(num(4, 4))} ${big(8)} [multiplier, shift, offset]\n`);
    } else {
      this.print(P.options, ` ${id} ${s32(size)}\t[Unknown option, size - skipping]\n`);
    }
  }

  /** An option's text as trace-cmd prints it: 1023-byte pieces up to their first NUL, then a newline. */
  private printText(b: Buffer, parts: number): void {
    if ((parts & this.parts) === 0) return;
    const piece = b.length < TEXT_PIECE + 1 ? b.length : TEXT_PIECE;
    for (let at = 0; at < b.length; at += piece) {
      const end = Math.min(b.length, at + piece);
      const nul = b.indexOf(0, at);
      this.out.push(b.toString("latin1", at, nul >= 0 && nul < end ? nul : end));
    }
    this.out.push("\n");
  }

  private async bufferOption(
    id: number,
    b: Buffer,
    cstr: (at: number) => { text: string; next: number },
    num: (at: number, n: 4 | 8) => number,
    big: (at: number) => bigint,
  ): Promise<void> {
    const r = this.r;
    const parts = P.options | P.flyrecord;
    if (b.length < 8) throw traceFileError(r.path, `BUFFER option of ${b.length} bytes is too short`);
    const offset = big(0);
    const name = cstr(8);
    if (this.version >= 7) {
      // The option points at its data section: its header is printed first.
      await r.aside(Number(offset), () => this.sectionHeader(P.flyrecord));
    }
    this.print(parts, `\t\t[Option BUFFER, ${b.length} bytes]\n`);
    this.print(parts, `${lld(offset)} [offset]\n`);
    this.print(parts, `"${name.text}" [name]\n`);
    if (this.version < 7) return;
    const clock = cstr(name.next);
    this.print(parts, `"${clock.text}" [clock]\n`);
    if (id !== OPTION.BUFFER) {
      this.print(P.summary, `\t[buffer "${name.text}", "${clock.text}" clock, latency data]\n`);
      return;
    }
    let p = clock.next;
    const pageSize = s32(num(p, 4));
    this.print(parts, `${pageSize} [Page size, bytes]\n`);
    const cpus = s32(num(p + 4, 4));
    this.print(parts, `${cpus} [CPUs]:\n`);
    p += 8;
    let total = 0n;
    for (let i = 0; i < cpus; i++, p += 20) {
      if (p + 20 > b.length) throw traceFileError(r.path, `BUFFER option '${name.text}' ends before cpu ${i} of ${cpus}`);
      const size = big(p + 12);
      total += size;
      this.print(parts, `   ${s32(num(p, 4))} ${lld(big(p + 4))}\t${lld(size)}\t[id, data offset and size]\n`);
    }
    this.print(P.summary, `\t[buffer "${name.text}", "${clock.text}" clock, ${pageSize} page size, ${cpus} cpus, ${lld(total)} bytes flyrecord data]\n`);
  }

  private timeShift(b: Buffer, num: (at: number, n: 4 | 8) => number, big: (at: number) => bigint): void {
    let size = b.length;
    if (size < 12) {
      this.print(P.options, `Broken time shift option, size ${size}`);
      return;
    }
    this.print(P.options, `\t\t[Option TimeShift, ${size} bytes]\n`);
    this.print(P.options, `0x${big(0).toString(16).toUpperCase()} [peer's trace id]\n`);
    this.print(P.options, `0x${num(8, 4).toString(16).toUpperCase()} [peer's protocol flags]\n`);
    const cpus = num(12, 4);
    this.print(P.options, `0x${cpus.toString(16).toUpperCase()} [peer's CPU count]\n`);
    size -= 16;
    let p = 16;
    const data: { times: bigint[]; offsets: bigint[]; scalings: bigint[]; frac: bigint[] }[] = [];
    let broken = false;
    const take = (into: bigint[], n: number): boolean => {
      for (let i = 0; i < n; i++, p += 8, size -= 8) {
        if (size < 8) return false;
        into.push(BigInt.asIntN(64, big(p)));
      }
      return true;
    };
    for (let j = 0; j < cpus && !broken; j++) {
      if (size < 4) {
        broken = true;
        break;
      }
      const count = num(p, 4);
      p += 4;
      size -= 4;
      this.print(P.options, `${count} [samples count for CPU ${j}]\n`);
      const d = { times: [] as bigint[], offsets: [] as bigint[], scalings: [] as bigint[], frac: [] as bigint[] };
      data.push(d);
      broken = !take(d.times, count) || !take(d.offsets, count) || !take(d.scalings, count);
    }
    if (!broken && size > 0) for (const d of data) if (!take(d.frac, d.times.length)) broken = true;
    if (!broken) {
      for (const d of data) {
        for (let i = 0; i < d.times.length; i++) {
          const u = (v: bigint | undefined): string => BigInt.asUintN(64, v ?? 0n).toString();
          this.print(P.options, `\t${d.offsets[i]} ${d.scalings[i]} ${u(d.frac[i])} ${u(d.times[i])}[offset * scaling >> fraction @ time]\n`);
        }
      }
    } else this.print(P.options, "Broken time shift option\n");
  }
}

/**
 * The text `trace-cmd dump` prints for a trace.dat: the summary by default, or the parts asked for, in
 * file order.
 * @example
 * process.stdout.write(await dumpTraceDat("trace.dat", { parts: ["options", "flyrecord"] }));
 */
export async function dumpTraceDat(path: string, options: DumpOptions = {}): Promise<string> {
  let mask = 0;
  for (const p of options.parts ?? []) {
    if (p === "all") mask = -1;
    else if (P[p] === undefined) throw new UsageError(`dump: unknown part '${p}' (known: ${DUMP_PARTS.join(", ")})`);
    else mask |= P[p];
  }
  if (mask === 0 && options.validate !== true) mask = P.summary;
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw traceFileError(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, undefined, e);
  }
  try {
    const r = new Reader(fh, path, (await fh.stat()).size);
    let text = await new Dumper(r, mask).run();
    if (options.validate === true) text += `File ${path} is a valid trace-cmd file\n`;
    return text;
  } finally {
    await fh.close();
  }
}
