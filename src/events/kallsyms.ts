// Kernel function symbols from a kallsyms text (ring-buffer-and-events.md §6.1): sorted arrays and a
// binary search with libtraceevent's rule (the last symbol matches only exactly, no size limit).
// The text is kept as latin1 bytes: a trace file's is megabytes, and a string of it costs a copy and GC.
import { noteCodePath } from "../base/index.js";
import { scanKallsymsWasm } from "./kallsyms-scan.js";

/** The result of a symbol lookup. */
export interface KernelSymbol {
  name: string;
  addr: bigint;
}

/** Address -> function name table, built once per file. */
export class Kallsyms {
  private lastHi = -1;
  private lastLo = -1;
  private lastIndex = -1;
  // Filled by build() on first use. Names and modules stay offsets into the text until looked up: a string
  // per symbol met, not per line.
  private built = false;
  // Addresses split in 32-bit halves so that lookups compare numbers, not bigints. The high halves are
  // either one per symbol, or (hi undefined) where they change (see ScannedKallsyms).
  private hi: Uint32Array | undefined = new Uint32Array(0);
  private hiRuns: Uint32Array = new Uint32Array(0);
  private lo: Uint32Array = new Uint32Array(0);
  /** Per symbol: where its name starts and, with spanStride 2 (the JavaScript scan), where its line ends. */
  private spans: Int32Array = new Int32Array(0);
  private spanStride = 2;
  /** Names looked up so far, by index (a map: a report looks up a few of ~100k symbols). */
  private readonly names = new Map<number, string>();

  private text: Buffer = Buffer.alloc(0);
  /** Where the text is read piece by piece instead (scanned through a window; names read when looked up). */
  private reader: KallsymsReader | undefined;
  private scratch: Buffer = Buffer.alloc(0);

  /** Scan with the WebAssembly scanner where there is one (tests turn it off to check the JavaScript scan). */
  static useWasm = true;

  private constructor(private readonly source: KallsymsSource | (() => KallsymsSource)) {}

  /**
   * A table over `/proc/kallsyms` text (a string, or its bytes as latin1): `%llx %c name[\t[module]]`;
   * skips `$` names and type `A`/`a`. The text is scanned on the first lookup: a report that prints no
   * symbol never pays for it. A function is called then too, for text that is costly to get (a
   * compressed trace.dat section). A KallsymsReader is scanned a window at a time, without the whole text
   * in memory (each page of new memory costs a fault), and names are read from it when looked up.
   */
  static parse(text: KallsymsSource | (() => KallsymsSource)): Kallsyms {
    return new Kallsyms(text);
  }

  /** An empty table (no symbols). */
  static empty(): Kallsyms {
    return new Kallsyms("");
  }

  /** Number of symbols. */
  get size(): number {
    this.build();
    return this.lo.length;
  }

  private build(): void {
    if (this.built) return;
    this.built = true;
    noteCodePath("kallsyms");
    const src = typeof this.source === "function" ? this.source() : this.source;
    let reader: KallsymsReader;
    if (typeof src === "object" && "read" in src) reader = this.reader = src;
    else {
      const text = (this.text = typeof src === "string" ? Buffer.from(src, "latin1") : Buffer.from(src.buffer, src.byteOffset, src.byteLength));
      reader = { size: text.length, read: (into, at) => into.set(text.subarray(at, at + into.length)) };
    }
    const scanned = Kallsyms.useWasm ? scanKallsymsWasm(reader) : undefined;
    if (scanned?.descended === false && scanned.hi === undefined) {
      // In order already: no high half per symbol.
      ({ lo: this.lo, starts: this.spans, hiRuns: this.hiRuns } = scanned);
      this.hi = undefined;
      this.spanStride = 1;
      reverseSpans(this.spans, scanned.runStart, this.lo.length, 1);
    } else if (scanned !== undefined) {
      const hi = scanned.hi ?? highHalves(scanned.hiRuns, scanned.lo.length);
      ({ hi: this.hi, lo: this.lo, spans: this.spans } = ordered(hi, scanned.lo, scanned.starts, scanned, 1));
      this.spanStride = 1;
    } else if (this.reader !== undefined) ({ hi: this.hi, lo: this.lo, spans: this.spans } = scanReader(reader));
    else ({ hi: this.hi, lo: this.lo, spans: this.spans } = scanKallsyms(this.text));
  }

  private addrAt(i: number): bigint {
    return (BigInt(this.hiAt(i)) << 32n) | BigInt(this.lo[i]!);
  }

  /** The high half of symbol i's address. */
  private hiAt(i: number): number {
    if (this.hi !== undefined) return this.hi[i]!;
    const r = this.hiRuns;
    // The last run (first index, high half) starting at or before i.
    let lo = 1;
    let hi = r.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r[mid * 2]! <= i) lo = mid + 1;
      else hi = mid;
    }
    return r[(lo - 1) * 2 + 1]!;
  }

  private indexOf(addr: bigint): number {
    return this.indexOfHL(Number((addr >> 32n) & 0xffffffffn), Number(addr & 0xffffffffn));
  }

  /**
   * Index of the symbol containing the address `hi * 2^32 + lo`, or -1 (the probe order of glibc
   * bsearch over libtraceevent's comparator, so ties resolve the same way).
   */
  indexOfHL(ahi: number, alo: number): number {
    if (ahi === this.lastHi && alo === this.lastLo) return this.lastIndex;
    this.build();
    const L = this.lo;
    const n = L.length;
    let lo = 0;
    let hi = n;
    let found = -1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const bh = this.hiAt(mid);
      const bl = L[mid]!;
      const cmpBase = ahi !== bh ? (ahi < bh ? -1 : 1) : alo !== bl ? (alo < bl ? -1 : 1) : 0;
      if (cmpBase === 0) {
        found = mid;
        break;
      }
      if (cmpBase > 0 && mid + 1 < n) {
        const nh = this.hiAt(mid + 1);
        const nl = L[mid + 1]!;
        if (ahi < nh || (ahi === nh && alo < nl)) {
          found = mid;
          break;
        }
      }
      if (cmpBase < 0) hi = mid;
      else lo = mid + 1;
    }
    this.lastHi = ahi;
    this.lastLo = alo;
    this.lastIndex = found;
    return found;
  }

  /** Name of the symbol at an index from indexOfHL(). */
  nameAt(i: number): string {
    let name = this.names.get(i);
    if (name === undefined) this.names.set(i, (name = this.nameText(i)));
    return name;
  }

  private nameText(i: number): string {
    const line = this.lineAt(i);
    return line.toString("latin1", 0, nameLength(line));
  }

  /** The bytes of symbol i's line from its name on (a view of the text, or read into a scratch buffer). */
  private lineAt(i: number): Buffer {
    const from = this.spans[i * this.spanStride]!;
    const r = this.reader;
    if (this.spanStride === 2) {
      const to = this.spans[i * 2 + 1]!;
      if (r === undefined) return this.text.subarray(from, to);
      return this.readLine(r, from, to - from) ?? this.scratch.subarray(0, to - from);
    }
    if (r === undefined) {
      const to = this.text.indexOf(10, from);
      return this.text.subarray(from, to < 0 ? this.text.length : to);
    }
    // Up to the newline, read a piece at a time (names are short; a line may not be).
    for (let want = 256; ; want *= 4) {
      const line = this.readLine(r, from, Math.min(want, r.size - from));
      if (line !== undefined) return line;
      if (from + want >= r.size) return this.scratch.subarray(0, r.size - from);
    }
  }

  /** Reads n bytes at `from` into the scratch buffer; the part before a newline in them, or undefined. */
  private readLine(r: KallsymsReader, from: number, n: number): Buffer | undefined {
    if (this.scratch.length < n) this.scratch = Buffer.alloc(Math.max(256, n));
    const piece = this.scratch.subarray(0, n);
    readFully(r, piece, from);
    const k = piece.indexOf(10);
    return k < 0 ? undefined : piece.subarray(0, k);
  }

  /** The `[module]` after the name, or "". */
  private moduleAt(i: number): string {
    const line = this.lineAt(i);
    const eol = line.length;
    let lb = nameLength(line);
    while (lb < eol && line[lb] !== 91) lb++;
    let rb = lb + 1;
    while (rb < eol && line[rb] !== 93) rb++;
    return rb < eol ? line.toString("latin1", lb + 1, rb) : "";
  }

  /** Reads the whole text from a reader, for walks over every symbol (one read, not one per name). */
  private loadText(): void {
    const r = this.reader;
    if (r === undefined) return;
    const text = Buffer.alloc(r.size);
    readFully(r, text, 0);
    this.text = text;
    this.reader = undefined;
  }

  /** `addr - start` of the symbol at index i, as a number (exact below 2^53). */
  offsetAt(i: number, ahi: number, alo: number): number {
    return (ahi - this.hiAt(i)) * 4294967296 + (alo - this.lo[i]!);
  }

  /** The symbol containing addr, or undefined. */
  lookup(addr: bigint): KernelSymbol | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : { name: this.nameAt(i), addr: this.addrAt(i) };
  }

  /** Name of the symbol containing addr, or undefined (no allocation). */
  nameOf(addr: bigint): string | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.nameAt(i);
  }

  /** Start address of the symbol containing addr, or undefined. */
  startOf(addr: bigint): bigint | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.addrAt(i);
  }

  /** Module of the symbol containing addr ("" for the core kernel), or undefined. */
  moduleOf(addr: bigint): string | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.moduleAt(i);
  }

  /** Address of the first symbol with this exact name (in address order), or undefined. */
  addressOf(name: string): bigint | undefined {
    this.build();
    this.loadText();
    for (let i = 0; i < this.lo.length; i++) if (this.nameText(i) === name) return this.addrAt(i);
    return undefined;
  }

  /** Every symbol in address order, as `report -f` lists them (added for report/; no lookups use it). */
  *entries(): IterableIterator<{ addr: bigint; name: string; module: string | undefined }> {
    this.build();
    this.loadText();
    for (let i = 0; i < this.lo.length; i++) {
      const module = this.moduleAt(i);
      yield { addr: this.addrAt(i), name: this.nameText(i), module: module === "" ? undefined : module };
    }
  }
}

/** Kallsyms text: a string, or its bytes (one char per byte). */
export type KallsymsText = string | Uint8Array;

/** Kallsyms text read in pieces: `read` fills `into` with the bytes at offset `at` (throws if it cannot). */
export interface KallsymsReader {
  readonly size: number;
  read(into: Uint8Array, at: number): void;
}

/** What Kallsyms.parse() takes. */
export type KallsymsSource = KallsymsText | KallsymsReader;

function readFully(r: KallsymsReader, into: Uint8Array, at: number): void {
  if (into.length > 0) r.read(into, at);
}

/** Length of the name at the start of a line piece: up to a space, tab, CR or the end. */
function nameLength(line: Uint8Array): number {
  let ne = 0;
  while (ne < line.length) {
    const c = line[ne]!;
    if (c === 32 || c === 9 || c === 13) break;
    ne++;
  }
  return ne;
}

/** Bytes of a reader scanned at a time (a line longer than this grows it). */
const WINDOW_BYTES = 64 * 1024;

/** scanKallsyms() over a reader, a window at a time; spans are offsets in the whole text. */
function scanReader(r: KallsymsReader): { hi: Uint32Array; lo: Uint32Array; spans: Int32Array } {
  let cap = Math.max(16, Math.ceil(r.size / 32));
  let hi = new Uint32Array(cap);
  let lo = new Uint32Array(cap);
  let spans = new Int32Array(cap * 2);
  let count = 0;
  const order = newOrder();
  let win = new Uint8Array(Math.min(WINDOW_BYTES, Math.max(16, r.size)));
  let base = 0; // offset in the text of win[0]
  let len = 0; // bytes of win filled
  while (base + len < r.size || len > 0) {
    const want = Math.min(win.length - len, r.size - base - len);
    readFully(r, win.subarray(len, len + want), base + len);
    len += want;
    const last = base + len >= r.size;
    // Whole lines only, but for the last piece of the text.
    const end = last ? len : win.lastIndexOf(10, len - 1) + 1;
    if (end === 0) {
      const bigger = new Uint8Array(win.length * 2);
      bigger.set(win.subarray(0, len));
      win = bigger;
      continue;
    }
    const view = win.subarray(0, end);
    let pos = 0;
    for (;;) {
      count = scanLines(view, pos, hi, lo, spans, count, order, base);
      if (count < cap) break;
      pos = spans[count * 2 - 1]! - base + 1;
      cap *= 2;
      hi = grow(hi, new Uint32Array(cap));
      lo = grow(lo, new Uint32Array(cap));
      spans = grow(spans, new Int32Array(cap * 2));
    }
    win.copyWithin(0, end, len);
    base += end;
    len -= end;
    if (last) break;
  }
  return ordered(hi.subarray(0, count), lo.subarray(0, count), spans.subarray(0, count * 2), order);
}

/** One high half per symbol, from where they change (first index, high half). */
function highHalves(runs: Uint32Array, count: number): Uint32Array {
  const hi = new Uint32Array(count);
  for (let k = 0; k < runs.length; k += 2) hi.fill(runs[k + 1]!, runs[k]!, k + 2 < runs.length ? runs[k + 2]! : count);
  return hi;
}

function grow<T extends Uint32Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * Scans kallsyms text into address halves and name spans, in libtraceevent's order. Each loop is a
 * function of its own: V8 compiles a long loop on the stack (OSR) and would throw that code away on
 * reaching code after the loop that never ran (this scan runs once, on megabytes).
 */
function scanKallsyms(text: Uint8Array): { hi: Uint32Array; lo: Uint32Array; spans: Int32Array } {
  let cap = Math.max(16, Math.ceil(text.length / 32));
  let hi = new Uint32Array(cap);
  let lo = new Uint32Array(cap);
  let spans = new Int32Array(cap * 2);
  const order = newOrder();
  let count = scanLines(text, 0, hi, lo, spans, 0, order);
  while (count === cap) {
    // Full: go on after the last line kept (the lines skipped after it are skipped again).
    const from = spans[count * 2 - 1]! + 1;
    cap *= 2;
    hi = grow(hi, new Uint32Array(cap));
    lo = grow(lo, new Uint32Array(cap));
    spans = grow(spans, new Int32Array(cap * 2));
    count = scanLines(text, from, hi, lo, spans, count, order);
  }
  return ordered(hi.subarray(0, count), lo.subarray(0, count), spans.subarray(0, count * 2), order);
}

/**
 * What the scan learns about the order of the lines as it goes: libtraceevent keeps its list newest first
 * and sorts it stably by address, so later lines win ties. Kallsyms text is usually in address order
 * already: the scan then reverses each run of equal addresses when it ends, and only a text with a
 * descent pays for a full sort (one pass over the bytes, none over the arrays after it).
 */
interface ScanOrder {
  /** Index of the first symbol with the address of the last one. */
  runStart: number;
  /** An address was lower than the one before it. */
  descended: boolean;
}

function newOrder(): ScanOrder {
  return { runStart: 0, descended: false };
}

/** The scanned symbols in lookup order (see ScanOrder). */
function ordered(hi: Uint32Array, lo: Uint32Array, spans: Int32Array, scan: ScanOrder, stride = 2): { hi: Uint32Array; lo: Uint32Array; spans: Int32Array } {
  const count = hi.length;
  reverseSpans(spans, scan.runStart, count, stride);
  if (!scan.descended) return { hi, lo, spans };
  // Ties by line order, later first: a line's span starts after those of the lines before it.
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((x, y) => hi[x]! - hi[y]! || lo[x]! - lo[y]! || spans[y * stride]! - spans[x * stride]!);
  const sHi = new Uint32Array(count);
  const sLo = new Uint32Array(count);
  const sSpans = new Int32Array(count * stride);
  for (let i = 0; i < count; i++) {
    const o = order[i]!;
    sHi[i] = hi[o]!;
    sLo[i] = lo[o]!;
    for (let k = 0; k < stride; k++) sSpans[i * stride + k] = spans[o * stride + k]!;
  }
  return { hi: sHi, lo: sLo, spans: sSpans };
}

/**
 * The lines from byte `pos` on into the arrays from index `count` on, until the text or the arrays end;
 * returns the new count; spans are stored plus `base` (the text's offset in a larger one). One
 * hand-written pass over the bytes: no per-line strings, regexes or objects.
 */
function scanLines(
  text: Uint8Array,
  pos: number,
  hi: Uint32Array,
  lo: Uint32Array,
  spans: Int32Array,
  count: number,
  order: ScanOrder,
  base = 0,
): number {
  const n = text.length;
  const cap = hi.length;
  while (pos < n && count < cap) {
    // Address, type and name start first; then the line end is searched from the name on, so each
    // byte of the line is read once.
    let p = pos;
    let c = text[p]!;
    while (p < n && (c === 32 || c === 9)) c = text[++p]!;
    // The address: hex digits up to the first space; only the last 16 digits count.
    let h = 0;
    let l = 0;
    const start = p;
    for (; p < n; c = text[++p]!) {
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else break;
      h = (h << 4) | (l >>> 28);
      l = (l << 4) | d;
    }
    let ns = p;
    let type = 10;
    if (p > start && p < n && c === 32) {
      while (p < n && c === 32) c = text[++p]!;
      if (p < n && c !== 10) {
        type = c;
        ns = p + 1;
        c = text[ns]!;
        while (ns < n && (c === 32 || c === 9)) c = text[++ns]!;
        if (ns >= n || c === 10) type = 10;
      }
    }
    let eol = ns;
    while (eol < n && text[eol] !== 10) eol++;
    pos = eol + 1;
    if (type === 10 || type === 65 || type === 97 || c === 36) continue; // no name; A, a, $name
    // Compared as u32 (the shifts above give int32); the typed arrays store them so too.
    const uh = h >>> 0;
    const ul = l >>> 0;
    if (count > 0) {
      const ph = hi[count - 1]!;
      const pl = lo[count - 1]!;
      if (uh !== ph || ul !== pl) {
        if (uh < ph || (uh === ph && ul < pl)) order.descended = true;
        reverseSpans(spans, order.runStart, count);
        order.runStart = count;
      }
    }
    hi[count] = uh;
    lo[count] = ul;
    spans[count * 2] = base + ns;
    spans[count * 2 + 1] = base + eol;
    count++;
  }
  return count;
}

/** Reverses the spans of symbols [from, to) in place (a run of equal addresses: only the spans differ). */
function reverseSpans(spans: Int32Array, from: number, to: number, stride = 2): void {
  for (let a = from, b = to - 1; a < b; a++, b--) {
    for (let k = 0; k < stride; k++) {
      const s = spans[a * stride + k]!;
      spans[a * stride + k] = spans[b * stride + k]!;
      spans[b * stride + k] = s;
    }
  }
}
