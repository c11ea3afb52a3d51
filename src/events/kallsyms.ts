// Kernel function symbols from a kallsyms text (ring-buffer-and-events.md §6.1): sorted arrays and a
// binary search with libtraceevent's rule (the last symbol matches only exactly, no size limit).

/** The result of a symbol lookup. */
export interface KernelSymbol {
  name: string;
  addr: bigint;
}

/** Address -> function name table, built once per file. */
export class Kallsyms {
  private constructor(
    private readonly addrs: BigUint64Array,
    private readonly names: readonly string[],
    private readonly modules: readonly string[],
  ) {}

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

  /** Index of the symbol containing addr, or -1 (the same probe order as glibc bsearch). */
  private indexOf(addr: bigint): number {
    const a = this.addrs;
    const n = a.length;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const base = a[mid]!;
      if (addr === base || (addr > base && mid + 1 < n && addr < a[mid + 1]!)) return mid;
      if (addr < base) hi = mid;
      else lo = mid + 1;
    }
    return -1;
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
