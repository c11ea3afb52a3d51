// /tmp/perf-PID.map, the JIT symbol file (Node --perf-basic-prof and others): "START SIZE name" per
// line, hex without 0x (0x is accepted). Junk lines are skipped.

/** Sorted address ranges of one perf map. */
export class PerfMap {
  private constructor(
    private readonly starts: Float64Array,
    private readonly ends: Float64Array,
    private readonly names: string[],
  ) {}

  /** Parses the text; lines that are not "hex hex name" are skipped and counted in `skipped`. */
  static parse(text: string): { map: PerfMap; skipped: number } {
    const rows: { start: number; end: number; name: string }[] = [];
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const m = /^\s*(?:0x)?([0-9a-fA-F]+)\s+(?:0x)?([0-9a-fA-F]+)\s+(.+?)\s*$/.exec(line);
      const start = m === null ? NaN : parseInt(m[1]!, 16);
      const size = m === null ? NaN : parseInt(m[2]!, 16);
      if (m === null || !Number.isSafeInteger(start) || !Number.isSafeInteger(size) || size <= 0) {
        skipped++;
        continue;
      }
      rows.push({ start, end: start + size, name: m[3]! });
    }
    // Later lines win for the same start (a JIT that reuses code space writes the new name last).
    rows.sort((a, b) => a.start - b.start);
    const n = rows.length;
    const map = new PerfMap(Float64Array.from(rows, (r) => r.start), Float64Array.from(rows, (r) => r.end), rows.map((r) => r.name));
    return { map: n === 0 ? new PerfMap(new Float64Array(0), new Float64Array(0), []) : map, skipped };
  }

  /** The name covering `addr`, or undefined. */
  findName(addr: number): string | undefined {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= addr) lo = mid + 1;
      else hi = mid;
    }
    // The nearest start at or below addr, then earlier ones while they still cover it (nested ranges).
    for (let i = lo - 1; i >= 0 && i >= lo - 4; i--) {
      if (addr < this.ends[i]!) return this.names[i];
    }
    return undefined;
  }
}
