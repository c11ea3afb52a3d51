// `dump` (trace-cmd dump, default summary): the file's structure as trace-cmd 3.1.6 prints it. The
// contents come from openTrace(); the v7 layout (compression strings, the OPTIONS chain, BUFFER options,
// the sections walked back to back) is read here from the file (trace-dat-format.md §2, §4).
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { UsageError } from "../base/index.js";
import { OPTION } from "./constants.js";
import { findDecompressor } from "./decompress.js";
import { openTrace } from "./trace-file.js";
import type { TraceFile } from "./trace-file.js";

const SECTION_HEADER_BYTES = 16;
/** Section ids a walk accepts as real section headers. */
const MAX_SECTION_ID = 32;

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  return b.subarray(0, bytesRead);
}

function cstrAt(b: Buffer, pos: number): { text: string; next: number } {
  let end = b.indexOf(0, pos);
  if (end < 0) end = b.length;
  return { text: b.toString("latin1", pos, end), next: end + 1 };
}

/** One v7 section header, where it is. */
interface SectionHeader {
  offset: number;
  id: number;
  flags: number;
  description: number;
  size: number;
}

/** The v7 structure trace-cmd's summary prints. */
interface V7Layout {
  compression: string;
  compressionVersion: string;
  buffers: string[];
  optionCount: number;
  /** Section-reference option ids (16-21) in the order met. */
  sectionRefs: number[];
  sectionCount: number;
  /** Every section, walked back to back. */
  sections: SectionHeader[];
  /** The STRINGS sections' text, which section descriptions index. */
  strings: Buffer;
}

async function readV7Layout(fh: FileHandle, size: number, le: boolean): Promise<V7Layout> {
  const head = await readAt(fh, 18, 256);
  const comp = cstrAt(head, 0);
  const ver = cstrAt(head, comp.next);
  const firstOptions = Number(le ? head.readBigUInt64LE(ver.next) : head.readBigUInt64BE(ver.next));
  const dataStart = 18 + ver.next + 8;
  const out: V7Layout = { compression: comp.text, compressionVersion: ver.text, buffers: [], optionCount: 0, sectionRefs: [], sectionCount: 0, sections: [], strings: Buffer.alloc(0) };
  const u16 = (b: Buffer, p: number) => (le ? b.readUInt16LE(p) : b.readUInt16BE(p));
  const u32 = (b: Buffer, p: number) => (le ? b.readUInt32LE(p) : b.readUInt32BE(p));
  const u64 = (b: Buffer, p: number) => Number(le ? b.readBigUInt64LE(p) : b.readBigUInt64BE(p));
  const seen = new Set<number>();
  for (let at = firstOptions; at > 0 && at < size && !seen.has(at); ) {
    seen.add(at);
    const h = await readAt(fh, at, SECTION_HEADER_BYTES);
    if (h.length < SECTION_HEADER_BYTES) break;
    const body = await readAt(fh, at + SECTION_HEADER_BYTES, u64(h, 8));
    let next = 0;
    for (let p = 0; p + 6 <= body.length; ) {
      const id = u16(body, p);
      const len = u32(body, p + 2);
      const payload = body.subarray(p + 6, p + 6 + len);
      p += 6 + len;
      out.optionCount++;
      if (id === OPTION.DONE) {
        next = payload.length >= 8 ? u64(payload, 0) : 0;
        break;
      }
      if (id >= OPTION.HEADER_INFO && id <= OPTION.CMDLINES) out.sectionRefs.push(id);
      if (id === OPTION.BUFFER && payload.length >= 8) {
        const name = cstrAt(payload, 8);
        const clock = cstrAt(payload, name.next);
        const pageSize = u32(payload, clock.next);
        const cpus = u32(payload, clock.next + 4);
        let bytes = 0;
        for (let i = 0, q = clock.next + 8; i < cpus && q + 20 <= payload.length; i++, q += 20) bytes += u64(payload, q + 12);
        out.buffers.push(`[buffer "${name.text}", "${clock.text}" clock, ${pageSize} page size, ${cpus} cpus, ${bytes} bytes flyrecord data]`);
      }
    }
    at = next;
  }
  // trace-cmd counts sections by walking their headers back to back from the end of the file header.
  for (let at = dataStart; at + SECTION_HEADER_BYTES <= size; ) {
    const h = await readAt(fh, at, SECTION_HEADER_BYTES);
    const id = u16(h, 0);
    const len = u64(h, 8);
    if (id > MAX_SECTION_ID || at + SECTION_HEADER_BYTES + len > size) break;
    out.sectionCount++;
    const flags = u16(h, 2);
    out.sections.push({ offset: at, id, flags, description: le ? h.readInt32LE(4) : h.readInt32BE(4), size: len });
    if (id === OPTION.STRINGS) {
      let body = await readAt(fh, at + SECTION_HEADER_BYTES, len);
      const decompress = (flags & 1) !== 0 ? await findDecompressor(comp.text) : undefined;
      if (decompress !== undefined && body.length >= 8) {
        const dst = Buffer.alloc(u32(body, 4));
        decompress(body.subarray(8, 8 + u32(body, 0)), dst);
        body = dst;
      }
      out.strings = Buffer.concat([out.strings, body]);
    }
    at += SECTION_HEADER_BYTES + len;
  }
  return out;
}

function systemsOf(t: TraceFile): number {
  return new Set(t.eventFormats.map((f) => f.system)).size;
}

/** The lines of one metadata section, as trace-cmd's summary names them. */
function sectionLines(t: TraceFile, id: number): string[] {
  const bytes = (s: string) => Buffer.byteLength(s, "latin1");
  switch (id) {
    case OPTION.HEADER_INFO:
      return [`[Header page, ${bytes(t.headerPage)} bytes]`, `[Header event, ${bytes(t.headerEvent)} bytes]`];
    case OPTION.FTRACE_EVENTS:
      return [`[Ftrace format, ${t.ftraceFormats.length} events]`];
    case OPTION.EVENT_FORMATS:
      return [`[Events format, ${systemsOf(t)} systems]`];
    case OPTION.KALLSYMS:
      return [`[Kallsyms, ${bytes(t.kallsyms)} bytes]`];
    case OPTION.PRINTK:
      return [`[Trace printk, ${bytes(t.printkFormats)} bytes]`];
    case OPTION.CMDLINES:
      return [`[Saved command lines, ${bytes(t.savedCmdlines)} bytes]`];
    default:
      return [];
  }
}

/**
 * The summary `trace-cmd dump FILE` prints (its default, `--summary`), as text.
 * @example
 * process.stdout.write(await dumpSummary("trace.dat"));
 */
export async function dumpSummary(path: string): Promise<string> {
  const t = await openTrace(path, { onWarning: () => {} });
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const head = await readAt(fh, 10, 8);
    const endianByte = head[2]!;
    const lines = [
      "",
      ` Tracing meta data in file ${path}:`,
      "\t[Initial format]",
      `\t\t${t.version}\t[Version]`,
      `\t\t${endianByte}\t[Little endian]`,
      `\t\t${t.longSize}\t[Bytes in a long]`,
      `\t\t${t.pageSize}\t[Page size, bytes]`,
    ];
    if (t.version === 7) {
      const l = await readV7Layout(fh, size, t.littleEndian);
      lines.push(`\t\t${l.compression}\t[Compression algorithm]`, `\t\t${l.compressionVersion}\t[Compression version]`);
      for (const b of l.buffers) lines.push(`\t${b}`);
      lines.push(`\t[${l.optionCount} options]`);
      for (const id of [...l.sectionRefs].reverse()) for (const s of sectionLines(t, id)) lines.push(`\t${s}`);
      lines.push(`\t[${l.sectionCount} sections]`);
    } else {
      for (const id of [OPTION.HEADER_INFO, OPTION.FTRACE_EVENTS, OPTION.EVENT_FORMATS, OPTION.KALLSYMS, OPTION.PRINTK, OPTION.CMDLINES]) {
        for (const s of sectionLines(t, id)) lines.push(`\t${s}`);
      }
      lines.push(`\t${t.cpus} [CPUs with tracing data]`, `\t[${t.options.length} options]`);
      if (t.latencyText !== undefined) lines.push("\t[Latency tracing data]");
      else {
        lines.push("\t[Flyrecord tracing data]", "\t[Tracing clock]");
        lines.push(t.traceClockText !== undefined ? `\t\t${t.traceClockText}` : "\t\t No tracing clock saved in the file");
      }
    }
    return lines.join("\n") + "\n";
  } finally {
    await fh.close();
    await t.close();
  }
}

/** The content views of `trace-cmd dump` that ftk prints (besides the summary). */
export const DUMP_VIEWS = ["head-page", "head-event", "cmd-lines", "printk", "systems", "clock"] as const;
export type DumpView = (typeof DUMP_VIEWS)[number];

const VIEW_SECTION: Record<Exclude<DumpView, "clock">, number> = {
  "head-page": OPTION.HEADER_INFO,
  "head-event": OPTION.HEADER_INFO,
  "cmd-lines": OPTION.CMDLINES,
  printk: OPTION.PRINTK,
  systems: OPTION.EVENT_FORMATS,
};

function viewBody(t: TraceFile, view: Exclude<DumpView, "clock">): string {
  const bytes = (x: string) => Buffer.byteLength(x, "latin1");
  switch (view) {
    case "head-page":
      return `\t[Header page, ${bytes(t.headerPage)} bytes]\n${t.headerPage}\n`;
    case "head-event":
      return `\t[Header event, ${bytes(t.headerEvent)} bytes]\n${t.headerEvent}\n`;
    case "cmd-lines":
      return `\t[Saved command lines, ${bytes(t.savedCmdlines)} bytes]\n${t.savedCmdlines}\n`;
    case "printk":
      return `\t[Trace printk, ${bytes(t.printkFormats)} bytes]\n${t.printkFormats}\n`;
    case "systems": {
      const counts = new Map<string, number>();
      for (const f of t.eventFormats) counts.set(f.system, (counts.get(f.system) ?? 0) + 1);
      return `\t[Events format, ${counts.size} systems]\n${[...counts].map(([sys, n]) => `\t\t${sys} ${n} [system, events]\n`).join("")}`;
    }
  }
}

/**
 * One content view of `trace-cmd dump --VIEW FILE` (head-page, head-event, cmd-lines, printk, systems,
 * clock); version 7 files name the section first, as trace-cmd does.
 */
export async function dumpView(path: string, view: DumpView): Promise<string> {
  if (!(DUMP_VIEWS as readonly string[]).includes(view)) throw new UsageError(`dump --${view} is not supported by ftk (it prints ${DUMP_VIEWS.map((v) => `--${v}`).join(" ")} and the summary)`);
  const t = await openTrace(path, { onWarning: () => {} });
  const fh = await open(path, "r");
  try {
    if (view === "clock") {
      const clock = t.options.find((o) => o.id === OPTION.TRACECLOCK);
      const text = clock === undefined ? "" : Buffer.from(clock.payload).toString("latin1").replace(/\0.*$/s, "");
      if (t.version === 7) return `${text}\n`;
      // v6: the TRACECLOCK option's text (trace-cmd 3.x writes one), then the clock block after the data.
      return t.traceClockText !== undefined ? `${text}\n\t[Tracing clock]\n\t\t${t.traceClockText}\n` : `${text}\t[Tracing clock]\n\t\t No tracing clock saved in the file\n`;
    }
    let head = "";
    if (t.version === 7) {
      const l = await readV7Layout(fh, (await fh.stat()).size, t.littleEndian);
      const sec = l.sections.find((x) => x.id === VIEW_SECTION[view]);
      if (sec !== undefined) {
        const desc = sec.description >= 0 && sec.description < l.strings.length ? cstrAt(l.strings, sec.description).text : "";
        head = `\t[Section ${sec.id} @ ${sec.offset}: "${desc}", flags 0x${sec.flags.toString(16)}, ${sec.size} bytes]\n`;
      }
    }
    return head + viewBody(t, view);
  } finally {
    await fh.close();
    await t.close();
  }
}
