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

/** The latin1 bytes of a text (one byte per char, as TextOutput writes it), for caches of the hot loop. */
export function latin1Bytes(text: string): Uint8Array {
  return Buffer.from(text, "latin1");
}

/** Writes `%03u` of an integer 0 <= n < 1000 at buf[at]; returns the end. */
export function put3(buf: Uint8Array, at: number, n: number): number {
  // Int32 arithmetic (`| 0`): % and / on doubles cost a C call each.
  const x = n | 0;
  const hi = (x / 100) | 0;
  const r = x - hi * 100;
  const mid = (r / 10) | 0;
  buf[at] = 48 + hi;
  buf[at + 1] = 48 + mid;
  buf[at + 2] = 48 + r - mid * 10;
  return at + 3;
}

/** Writes `%u` of an integer 0 <= n < 2^31 at buf[at]; returns the end. */
export function putUint(buf: Uint8Array, at: number, n: number): number {
  let x = n | 0;
  let end = at + 1;
  for (let y = x; y >= 10; y = (y / 10) | 0) end++;
  let i = end;
  do {
    const q = (x / 10) | 0;
    buf[--i] = 48 + x - q * 10;
    x = q;
  } while (x > 0);
  return end;
}

/** Writes n spaces at buf[at] (none for n <= 0); returns the end. */
export function putSpaces(buf: Uint8Array, at: number, n: number): number {
  const end = n > 0 ? at + n : at;
  while (at < end) buf[at++] = 32;
  return end;
}
