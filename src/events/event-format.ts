// Event `format` files -> FieldDef / EventFormat, and the dense EventTable (ring-buffer-and-events.md §4).
// The print fmt is parsed here (so `failed` is known); it is compiled to a closure by EventPrinter.
import { splitFormat } from "./printfmt/c-format.js";
import { parsePrintFmt, type PrintFmtAst } from "./printfmt/parser.js";

/** Sizes that decide how numbers are read and printed for one file. */
export interface FileInfo {
  littleEndian: boolean;
  /** trace.dat header byte 13 (user long): print-fmt pointer-size decisions. */
  longSize: 4 | 8;
  /** Size of `commit` in header_page. */
  kernelLongSize: 4 | 8;
}

/** One `field:` line of a format file, classified the way libtraceevent 1.7.1 does (§4.1). */
export interface FieldDef {
  name: string;
  /** C type without the name; array brackets between type and name stay (`__data_loc char[]`). */
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  /** -1 not an array, 0 flexible `[]`, else the element count. */
  arrayLen: number;
  /** `__data_loc` / `__rel_loc`. */
  isDynamic: boolean;
  isRelLoc: boolean;
  isString: boolean;
  isPointer: boolean;
  isLong: boolean;
  elementSize: number;
}

/** One event: its id, fields and print fmt (parsed; compiled later). */
export interface EventFormat {
  id: number;
  system: string;
  name: string;
  commonFields: readonly FieldDef[];
  /** The event's own fields. */
  fields: readonly FieldDef[];
  printFmt: string;
  /** The print fmt could not be parsed: reports print `[FAILED TO PARSE]`. */
  failed: boolean;
  /** Common or own field by name. */
  findField(name: string): FieldDef | undefined;
}

/** @internal The parsed print fmt, for the printer and raw-field printer in this folder. */
export interface EventFormatInternal extends EventFormat {
  ast: PrintFmtAst | undefined;
  failReason: string;
}

// Built from the `name:`/`ID:` lines only; the fields and the print fmt are parsed on first use, since a
// report touches a handful of the ~1500 formats in a file.
class EventFormatImpl implements EventFormatInternal {
  private parsedFields: { common: readonly FieldDef[]; own: readonly FieldDef[]; byName: Map<string, FieldDef> } | undefined;
  private common: readonly FieldDef[] | undefined;
  private parsedFmt: { printFmt: string; ast: PrintFmtAst | undefined; failed: boolean; failReason: string } | undefined;
  constructor(
    readonly id: number,
    readonly system: string,
    readonly name: string,
    /** The whole format text, or where to read it when first used. */
    private readonly source: string | LazyFormatText,
    private readonly fmtAt: number,
    private readonly longSize: number,
    /** `field:` line -> its FieldDef, shared by the events of one table (common fields repeat in each format). */
    private readonly lineCache: Map<string, FieldDef | null>,
  ) {}

  private get text(): string {
    const src = this.source;
    return typeof src === "string" ? src : src.text();
  }

  get commonFields(): readonly FieldDef[] {
    return (this.common ??= this.parsedFields?.common ?? this.parseCommon());
  }
  get fields(): readonly FieldDef[] {
    return (this.parsedFields ??= this.parseFields()).own;
  }
  findField(name: string): FieldDef | undefined {
    return (this.parsedFields ??= this.parseFields()).byName.get(name);
  }
  get printFmt(): string {
    return (this.parsedFmt ??= this.parsePrintFmt()).printFmt;
  }
  get failed(): boolean {
    return (this.parsedFmt ??= this.parsePrintFmt()).failed;
  }
  get ast(): PrintFmtAst | undefined {
    return (this.parsedFmt ??= this.parsePrintFmt()).ast;
  }
  get failReason(): string {
    return (this.parsedFmt ??= this.parsePrintFmt()).failReason;
  }

  private fieldOf(line: string): FieldDef | null {
    let f = this.lineCache.get(line);
    if (f === undefined) {
      f = parseFieldLine(line, this.longSize) ?? null;
      this.lineCache.set(line, f);
    }
    return f;
  }

  /**
   * The common fields alone, as parseFields() finds them: the first group of fields when another group
   * follows it (the usual case, read without the event's own fields), else from the full parse.
   */
  private parseCommon(): readonly FieldDef[] {
    const text = this.text;
    const pfAt = text.indexOf("print fmt:");
    const end = pfAt < 0 ? text.length : pfAt;
    const first: FieldDef[] = [];
    let closed = false;
    for (let pos = this.fmtAt + 7; pos <= end; ) {
      let eol = text.indexOf("\n", pos);
      if (eol < 0 || eol > end) eol = end;
      const line = text.slice(pos, eol);
      pos = eol + 1;
      if (line.trim() === "") {
        if (first.length > 0) closed = true;
        continue;
      }
      const f = this.fieldOf(line);
      if (f === null) continue;
      if (closed) return first;
      first.push(f);
    }
    return (this.parsedFields ??= this.parseFields()).common;
  }

  private parseFields(): { common: readonly FieldDef[]; own: readonly FieldDef[]; byName: Map<string, FieldDef> } {
    const text = this.text;
    const pfAt = text.indexOf("print fmt:");
    const body = text.slice(this.fmtAt + 7, pfAt < 0 ? text.length : pfAt);
    const groups: FieldDef[][] = [[]];
    for (const line of body.split("\n")) {
      if (line.trim() === "") {
        if (groups[groups.length - 1]!.length > 0) groups.push([]);
        continue;
      }
      const f = this.fieldOf(line);
      if (f) groups[groups.length - 1]!.push(f);
    }
    const nonEmpty = groups.filter((g) => g.length > 0);
    let common: FieldDef[];
    let own: FieldDef[];
    if (nonEmpty.length >= 2) {
      common = nonEmpty[0]!;
      own = nonEmpty.slice(1).flat();
    } else {
      const all = nonEmpty[0] ?? [];
      common = all.filter((f) => f.name.startsWith("common_"));
      own = all.filter((f) => !f.name.startsWith("common_"));
    }
    const byName = new Map<string, FieldDef>();
    for (const f of common) byName.set(f.name, f);
    for (const f of own) if (!byName.has(f.name)) byName.set(f.name, f);
    return { common, own, byName };
  }

  private parsePrintFmt(): { printFmt: string; ast: PrintFmtAst | undefined; failed: boolean; failReason: string } {
    const pfAt = this.text.indexOf("print fmt:");
    const printFmt = pfAt < 0 ? "" : this.text.slice(pfAt + 10).trim();
    let ast: PrintFmtAst | undefined;
    try {
      ast = parsePrintFmt(printFmt, this, this.longSize);
      // parse_args(): a directive without an argument fails the event (old ftrace formats get one per field).
      const have = this.system === "ftrace" && ast.args.length === 0 ? this.fields.length : ast.args.length;
      if (this.system !== "ftrace" || this.name !== "bprint") {
        const need = splitFormat(ast.format).reduce((n, p) => n + (p.kind === "text" ? 0 : p.directive.star ? 2 : 1), 0);
        if (need > have) return { printFmt, ast, failed: true, failReason: "no argument match" };
      }
      return { printFmt, ast, failed: false, failReason: "" };
    } catch (e) {
      return { printFmt, ast, failed: true, failReason: e instanceof Error ? e.message : String(e) };
    }
  }
}

const FIELD_LINE = /^\s*field(?:\s+special)?\s*:\s*(.*?)\s*;\s*offset\s*:\s*(\d+)\s*;\s*size\s*:\s*(\d+)\s*;(?:\s*signed\s*:\s*(-?\d+)\s*;)?/;
const DECL = /^(.*?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*((?:\[[^\]]*\]\s*)*)$/;

/** libtraceevent's type_size(): element size of a dynamic array from the last type word (§4.1). */
function typeSize(word: string): number {
  switch (word) {
    case "u8": case "s8": case "char": return 1;
    case "u16": case "s16": return 2;
    case "u32": case "s32": return 4;
    case "u64": case "s64": return 8;
    default: return 0;
  }
}

function arrayLength(dims: string): number {
  // "[16]", "[]", "[TASK_COMM_LEN]" (unresolved: treated as flexible), "[2][3]" (product).
  let n = -1;
  for (const m of dims.matchAll(/\[([^\]]*)\]/g)) {
    const text = m[1]!.trim();
    const last = text.split(/[^A-Za-z0-9_]+/).filter((s) => s.length > 0).pop() ?? "";
    const v = /^(0x[0-9a-f]+|\d+)$/i.test(last) ? Number(last) : 0;
    n = n < 0 ? v : n * v;
  }
  return n;
}

/** Parses one `field:` line; undefined when it is not one. */
export function parseFieldLine(line: string, longSize: number): FieldDef | undefined {
  const m = FIELD_LINE.exec(line);
  if (!m) return undefined;
  const decl = m[1]!.replace(/\s+/g, " ").trim();
  const d = DECL.exec(decl);
  if (!d) return undefined;
  let type = d[1]!.trim();
  const name = d[2]!;
  let dims = d[3]!.replace(/\s+/g, "");
  // "TYPE [] NAME" and "__data_loc char[] NAME": brackets between type and name.
  const tb = /\s*((?:\[[^\]]*\])+)$/.exec(type);
  if (tb && dims === "") dims = tb[1]!.replace(/\s+/g, "");
  if (tb) type = type.slice(0, tb.index) + tb[1]!.replace(/\s+/g, "");
  const offset = Number(m[2]);
  const size = Number(m[3]);
  const signed = m[4] !== undefined && Number(m[4]) !== 0;
  const arrayLen = dims === "" ? -1 : arrayLength(dims);
  const isDynamic = /^__data_loc\b/.test(type) || /^__rel_loc\b/.test(type);
  const isRelLoc = /^__rel_loc\b/.test(type);
  const isString = (arrayLen >= 0 && /char|u8|s8/.test(type)) || (isDynamic && size === 2);
  const isLong = type.includes("long");
  const isPointer = type.includes("*");
  let elementSize = size;
  if (arrayLen > 0) elementSize = Math.floor(size / arrayLen);
  else if (arrayLen === 0 || isDynamic) {
    const words = type.replace(/\[.*$/, "").trim().split(/\s+/);
    if (isDynamic) elementSize = typeSize(words[words.length - 1] ?? "");
    else if (isString) elementSize = 1;
    else if (isLong) elementSize = longSize;
    else elementSize = 0;
  }
  if (dims !== "" && !tb) type = type + dims;
  return { name, type, offset, size, signed, arrayLen, isDynamic, isRelLoc, isString, isPointer, isLong, elementSize };
}

const NAME_LINE = /^\s*name\s*:\s*(\S+)/m;
const ID_LINE = /^\s*ID\s*:\s*(\d+)/m;

/** Reads the `name:` and `ID:` lines of a format file; the rest is parsed on first use. Undefined when unparsable. */
export function parseFormatText(
  text: string,
  system: string,
  longSize: number,
  lineCache: Map<string, FieldDef | null> = new Map(),
): EventFormatInternal | undefined {
  const fmtAt = text.indexOf("format:");
  if (fmtAt < 0) return undefined;
  const nameM = NAME_LINE.exec(text);
  const idM = ID_LINE.exec(text);
  if (!nameM || !idM) return undefined;
  return new EventFormatImpl(Number(idM[1]), system, nameM[1]!, text, fmtAt, longSize, lineCache);
}

/** Where format texts are read from when first needed: `read` fills `into` with the bytes at `at`. */
export interface FormatSource {
  read(into: Uint8Array, at: number): void;
}

/** A format text as the latin1 bytes `[at, at + size)` of a source, read and decoded when first asked for. */
export class LazyFormatText {
  private decoded: string | undefined;
  constructor(
    private readonly source: FormatSource,
    private readonly at: number,
    private readonly size: number,
  ) {}
  text(): string {
    if (this.decoded === undefined) {
      // Small texts come from Node's pooled memory: no fresh pages.
      const b = Buffer.allocUnsafe(this.size);
      this.source.read(b, this.at);
      this.decoded = b.toString("latin1");
    }
    return this.decoded;
  }
}

/** A kernel's format head; \S+ of the regexes above, in printable ASCII (anything else: parseFormatText()). */
const KERNEL_HEAD = /^name: ([\x21-\x7e]+)\nID: (\d{1,15})\nformat:/;

/**
 * Id, name and `format:` offset of a head written as the kernel writes it (`name: NAME\nID: DIGITS\nformat:`),
 * else undefined. One regex: it runs on each of ~1500 formats, mostly before V8 optimizes anything.
 */
function kernelHead(head: string): { id: number; name: string; fmtAt: number } | undefined {
  const m = KERNEL_HEAD.exec(head);
  // A "format:" in the name would end the head there (parseFormatText() cuts at the first one).
  if (m === null || m[1]!.includes("format:")) return undefined;
  return { id: Number(m[2]), name: m[1]!, fmtAt: m[0].length - 7 };
}

/** All events of one file (or live kernel), dense by id. */
export class EventTable {
  private readonly byIdArr: (EventFormatInternal | undefined)[] = [];
  private readonly list: EventFormatInternal[] = [];
  /** Built on the first findEvent() (reports rarely ask: a file has ~1500 formats). */
  private byNameMap: Map<string, EventFormatInternal> | undefined;
  private readonly lineCache = new Map<string, FieldDef | null>();

  constructor(readonly info: FileInfo) {}

  /** Parses one format file; system is "ftrace" for the ftrace block. Returns undefined if unparsable. */
  addFormat(text: string, system: string): EventFormat | undefined {
    return this.add(parseFormatText(text, system, this.info.longSize, this.lineCache));
  }

  /**
   * addFormat() from the first bytes of a format text (`head`, latin1, up to its whole length) and the text
   * itself, which is read only when the event is used or the head is not the kernel's usual one.
   */
  addFormatLazy(head: string, text: LazyFormatText, system: string): EventFormat | undefined {
    const h = kernelHead(head);
    if (h === undefined) return this.addFormat(text.text(), system);
    return this.add(new EventFormatImpl(h.id, system, h.name, text, h.fmtAt, this.info.longSize, this.lineCache));
  }

  private add(ev: EventFormatInternal | undefined): EventFormat | undefined {
    if (!ev) return undefined;
    if (ev.id > 0xffff) return undefined;
    this.byIdArr[ev.id] = ev;
    this.list.push(ev);
    if (this.byNameMap !== undefined) this.named(this.byNameMap, ev);
    return ev;
  }

  private named(map: Map<string, EventFormatInternal>, ev: EventFormatInternal): void {
    map.set(ev.system + ":" + ev.name, ev);
    if (!map.has(ev.name)) map.set(ev.name, ev);
  }

  /** The event with this id, or undefined (dense array lookup). */
  byId(id: number): EventFormat | undefined {
    return this.byIdArr[id];
  }

  /** Event by "system:name" or by bare name (first registered wins). */
  findEvent(name: string): EventFormat | undefined {
    if (this.byNameMap === undefined) {
      const map = (this.byNameMap = new Map());
      for (const ev of this.list) this.named(map, ev);
    }
    return this.byNameMap.get(name);
  }

  /** Every event in the order added. */
  all(): readonly EventFormat[] {
    return this.list;
  }
}
