// Kernel function symbols from a kallsyms text (ring-buffer-and-events.md §6.1): sorted arrays and a
// binary search with libtraceevent's rule (the last symbol matches only exactly, no size limit).

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

  private constructor(
    // Addresses split in 32-bit halves so that lookups compare numbers, not bigints.
    private readonly hi: Uint32Array,
    private readonly lo: Uint32Array,
    private readonly names: readonly string[],
    private readonly modules: readonly string[],
  ) {}

  /** Parses `/proc/kallsyms` text: `%llx %c name[\t[module]]`; skips `$` names and type `A`/`a`. */
  static parse(text: string): Kallsyms {
    const his: number[] = [];
    const los: number[] = [];
    const names: string[] = [];
    const modules: string[] = [];
    let pos = 0;
    const n = text.length;
    while (pos < n) {
      let eol = text.indexOf("\n", pos);
      if (eol < 0) eol = n;
      let p = pos;
      pos = eol + 1;
      while (p < eol && (text[p] === " " || text[p] === "\t")) p++;
      const sp = text.indexOf(" ", p);
      if (sp < 0 || sp >= eol || sp === p) continue;
      const hex = text.slice(p, sp);
      if (!/^[0-9a-fA-F]+$/.test(hex)) continue;
      let t = sp;
      while (t < eol && text[t] === " ") t++;
      const type = text[t];
      let ns = t + 1;
      while (ns < eol && (text[ns] === " " || text[ns] === "\t")) ns++;
      if (type === undefined || ns >= eol) continue;
      let ne = ns;
      while (ne < eol && text[ne] !== " " && text[ne] !== "\t" && text[ne] !== "\r") ne++;
      const name = text.slice(ns, ne);
      if (type === "A" || type === "a" || name.startsWith("$")) continue;
      let module = "";
      let lb = ne;
      while (lb < eol && text[lb] !== "[") lb++;
      if (lb < eol) {
        let rb = lb + 1;
        while (rb < eol && text[rb] !== "]") rb++;
        if (rb < eol) module = text.slice(lb + 1, rb);
      }
      const h = hex.length > 16 ? hex.slice(hex.length - 16) : hex;
      his.push(h.length > 8 ? parseInt(h.slice(0, h.length - 8), 16) : 0);
      los.push(parseInt(h.length > 8 ? h.slice(h.length - 8) : h, 16));
      names.push(name);
      modules.push(module);
    }
    // libtraceevent keeps its list newest first and sorts stably by address: later lines win ties.
    const order = Array.from({ length: names.length }, (_, i) => i);
    order.sort((x, y) => his[x]! - his[y]! || los[x]! - los[y]! || y - x);
    const hi = new Uint32Array(order.length);
    const lo = new Uint32Array(order.length);
    const sortedNames: string[] = new Array<string>(order.length);
    const sortedModules: string[] = new Array<string>(order.length);
    order.forEach((o, i) => {
      hi[i] = his[o]!;
      lo[i] = los[o]!;
      sortedNames[i] = names[o]!;
      sortedModules[i] = modules[o]!;
    });
    return new Kallsyms(hi, lo, sortedNames, sortedModules);
  }

  /** An empty table (no symbols). */
  static empty(): Kallsyms {
    return new Kallsyms(new Uint32Array(0), new Uint32Array(0), [], []);
  }

  /** Number of symbols. */
  get size(): number {
    return this.names.length;
  }

  private addrAt(i: number): bigint {
    return (BigInt(this.hi[i]!) << 32n) | BigInt(this.lo[i]!);
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
    const H = this.hi;
    const L = this.lo;
    const n = H.length;
    let lo = 0;
    let hi = n;
    let found = -1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const bh = H[mid]!;
      const bl = L[mid]!;
      const cmpBase = ahi !== bh ? (ahi < bh ? -1 : 1) : alo !== bl ? (alo < bl ? -1 : 1) : 0;
      if (cmpBase === 0) {
        found = mid;
        break;
      }
      if (cmpBase > 0 && mid + 1 < n) {
        const nh = H[mid + 1]!;
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
    return this.names[i]!;
  }

  /** `addr - start` of the symbol at index i, as a number (exact below 2^53). */
  offsetAt(i: number, ahi: number, alo: number): number {
    return (ahi - this.hi[i]!) * 4294967296 + (alo - this.lo[i]!);
  }

  /** The symbol containing addr, or undefined. */
  lookup(addr: bigint): KernelSymbol | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : { name: this.names[i]!, addr: this.addrAt(i) };
  }

  /** Name of the symbol containing addr, or undefined (no allocation). */
  nameOf(addr: bigint): string | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.names[i];
  }

  /** Start address of the symbol containing addr, or undefined. */
  startOf(addr: bigint): bigint | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.addrAt(i);
  }

  /** Module of the symbol containing addr ("" for the core kernel), or undefined. */
  moduleOf(addr: bigint): string | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.modules[i];
  }

  /** Address of the first symbol with this exact name (in address order), or undefined. */
  addressOf(name: string): bigint | undefined {
    const i = this.names.indexOf(name);
    return i < 0 ? undefined : this.addrAt(i);
  }

  /** Every symbol in address order, as `report -f` lists them (added for report/; no lookups use it). */
  *entries(): IterableIterator<{ addr: bigint; name: string; module: string | undefined }> {
    for (let i = 0; i < this.names.length; i++) {
      const module = this.modules[i];
      yield { addr: this.addrAt(i), name: this.names[i]!, module: module === "" ? undefined : module };
    }
  }
}
