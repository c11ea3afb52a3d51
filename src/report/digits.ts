// Small precomputed number-to-text helpers for the report hot loop (report-output.md §2, §3):
// zero-padded 3-digit groups and space padding without padStart chains.

/** "000" .. "999". */
export const DIGITS3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

const SPACES = " ".repeat(256);

/** `n` spaces (n <= 0 gives ""). */
export function spaces(n: number): string {
  return n <= 0 ? "" : n <= SPACES.length ? SPACES.slice(0, n) : " ".repeat(n);
}

/** printf `%<width>s`: right-aligned, never truncated. */
export function padLeft(text: string, width: number): string {
  return text.length >= width ? text : spaces(width - text.length) + text;
}

/** printf `%-<width>s`: left-aligned, never truncated. */
export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + spaces(width - text.length);
}

/** printf `%06llu` of an integer 0 <= n < 1e6. */
export function zero6(n: number): string {
  const lo = n % 1000;
  return DIGITS3[(n - lo) / 1000]! + DIGITS3[lo]!;
}

/** printf `%09llu` of an integer 0 <= n < 1e9. */
export function zero9(n: number): string {
  const lo = n % 1000;
  const rest = (n - lo) / 1000;
  const mid = rest % 1000;
  return DIGITS3[(rest - mid) / 1000]! + DIGITS3[mid]! + DIGITS3[lo]!;
}
