// trace_printk format strings by address (the printk_formats file / PRINTK section), used by bprint
// and by `%s` of pointer-sized fields (ring-buffer-and-events.md §5.7, §5.8).

/** Address -> format string table. */
export class PrintkFormats {
  private constructor(
    private readonly map: ReadonlyMap<bigint, string>,
    /** Every parsed line in file order, duplicates kept (for `report -P`). */
    private readonly list: readonly { addr: bigint; format: string }[] = [],
  ) {}

  /** Parses lines `0xADDR : "format"`; the quotes and one trailing `\n` escape are removed, as libtraceevent does. */
  static parse(text: string): PrintkFormats {
    const map = new Map<bigint, string>();
    const list: { addr: bigint; format: string }[] = [];
    for (const line of text.split("\n")) {
      if (line.length === 0) continue;
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(line.slice(0, colon));
      if (!m) continue;
      const addr = BigInt.asUintN(64, BigInt("0x" + m[1]!));
      let fmt = line.slice(colon + 2);
      if (fmt.startsWith('"')) fmt = fmt.slice(1);
      if (fmt.endsWith('"')) fmt = fmt.slice(0, -1);
      if (fmt.endsWith("\\n")) fmt = fmt.slice(0, -2);
      map.set(addr, fmt);
      list.push({ addr, format: fmt });
    }
    return new PrintkFormats(map, list);
  }

  /** An empty table. */
  static empty(): PrintkFormats {
    return new PrintkFormats(new Map());
  }

  /** The format registered at exactly addr, or undefined. */
  lookup(addr: bigint): string | undefined {
    return this.map.get(addr);
  }

  /**
   * Every parsed line in address order, duplicates kept, as `report -P` lists them (added for report/):
   * libtraceevent keeps its list newest first and sorts it stably by address.
   */
  entries(): { addr: bigint; format: string }[] {
    return [...this.list].reverse().sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  }
}
