// Kernel function symbols from a kallsyms text (ring-buffer-and-events.md §6.1): sorted arrays and a
// binary search with libtraceevent's rule (the last symbol matches only exactly, no size limit).

/** The result of a symbol lookup. */
export interface KernelSymbol {
  name: string;
  addr: bigint;
}

/** Address -> function name table, built once per file. */
export class Kallsyms {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private lastHi = -1;
  private lastLo = -1;
  private lastIndex = -1;

  private constructor(
    private readonly addrs: BigUint64Array,
    private readonly names: readonly string[],
    private readonly modules: readonly string[],
  ) {
    // Addresses split in 32-bit halves so that lookups compare numbers, not bigints.
    this.hi = new Uint32Array(addrs.length);
    this.lo = new Uint32Array(addrs.length);
    for (let i = 0; i < addrs.length; i++) {
      this.hi[i] = Number(addrs[i]! >> 32n);
      this.lo[i] = Number(addrs[i]! & 0xffffffffn);
    }
  }

  /** Parses `/proc/kallsyms` text: `%llx %c name[\t[module]]`; skips `$` names and type `A`/`a`. */
  static parse(text: string): Kallsyms {
    const entries: { addr: bigint; name: string; module: string; order: number }[] = [];
    let order = 0;
    for (const line of text.split("\n")) {
      const m = /^\s*([0-9a-fA-F]+)\s+(\S)\s+([^\s]+)(?:\s+\[([^\]]*)\])?/.exec(line);
      if (!m) continue;
      const type = m[2]!;
      const name = m[3]!;
      if (type === "A" || type === "a" || name.startsWith("$")) continue;
      entries.push({ addr: BigInt.asUintN(64, BigInt("0x" + m[1]!)), name, module: m[4] ?? "", order: order++ });
    }
    // libtraceevent keeps its list newest first and sorts stably by address: later lines win ties.
    entries.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : b.order - a.order));
    const addrs = new BigUint64Array(entries.length);
    entries.forEach((e, i) => (addrs[i] = e.addr));
    return new Kallsyms(
      addrs,
      entries.map((e) => e.name),
      entries.map((e) => e.module),
    );
  }

  /** An empty table (no symbols). */
  static empty(): Kallsyms {
    return new Kallsyms(new BigUint64Array(0), [], []);
  }

  /** Number of symbols. */
  get size(): number {
    return this.names.length;
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
    return i < 0 ? undefined : { name: this.names[i]!, addr: this.addrs[i]! };
  }

  /** Name of the symbol containing addr, or undefined (no allocation). */
  nameOf(addr: bigint): string | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.names[i];
  }

  /** Start address of the symbol containing addr, or undefined. */
  startOf(addr: bigint): bigint | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.addrs[i];
  }

  /** Module of the symbol containing addr ("" for the core kernel), or undefined. */
  moduleOf(addr: bigint): string | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.modules[i];
  }

  /** Address of the first symbol with this exact name (in address order), or undefined. */
  addressOf(name: string): bigint | undefined {
    const i = this.names.indexOf(name);
    return i < 0 ? undefined : this.addrs[i];
  }

  /** Every symbol in address order, as `report -f` lists them (added for report/; no lookups use it). */
  *entries(): IterableIterator<{ addr: bigint; name: string; module: string | undefined }> {
    for (let i = 0; i < this.names.length; i++) {
      const module = this.modules[i];
      yield { addr: this.addrs[i]!, name: this.names[i]!, module: module === "" ? undefined : module };
    }
  }
}
