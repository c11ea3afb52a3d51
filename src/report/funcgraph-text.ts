// Text pieces of trace-cmd 3.1.6's function_graph lines (ring-buffer-and-events.md §8.1): the overhead
// marker, the duration column and the "no duration" column. 3.1.6 knows only `$ # ! +` (the kernel's
// `@` and `*` for > 100 s and > 10 s are not printed by this version).
import type { TextOutput } from "../base/index.js";
import { DIGITS3, put3, putSpaces, putUint, spaces } from "./digits.js";

/** Overhead marker and a space for a duration in ns: `$ ` > 1 s, `# ` > 1 ms, `! ` > 100 µs, `+ ` > 10 µs. */
export function overheadMarker(durationNs: number): string {
  if (durationNs > 1000000000) return "$ ";
  if (durationNs > 1000000) return "# ";
  if (durationNs > 100000) return "! ";
  if (durationNs > 10000) return "+ ";
  return "  ";
}

/**
 * The duration column after the marker: µs, then `.nnn` when the µs part has fewer than 7 digits
 * (3.1.6 always prints 3 decimals), ` us `, padding of the number to 7 characters, and `|  `.
 */
export function durationColumn(durationNs: number): string {
  const rem = durationNs % 1000;
  const usecs = (durationNs - rem) / 1000;
  let num = String(usecs);
  if (num.length < 7) num += "." + DIGITS3[rem]!;
  return num + " us " + spaces(7 - num.length) + "|  ";
}

/** Marker, duration and bar for a leaf or an exit line. */
export function durationPrefix(durationNs: number): string {
  return overheadMarker(durationNs) + durationColumn(durationNs);
}

/** What an entry line that is not a leaf has instead of marker and duration. */
export const NESTED_PREFIX = "  " + "           |  ";

const INDENTS: string[] = Array.from({ length: 64 }, (_, d) => spaces(2 * d));

/** Deepest indentation printed: a damaged depth field must not make a gigabyte line (trace-cmd would). */
const MAX_INDENT = 4096;

/** Indentation for a call depth (unsigned field value): 2 spaces per level, counted as a C int. */
export function depthIndent(depth: number): string {
  if (depth >= 0 && depth < 64) return INDENTS[depth]!;
  const n = (depth * 2) | 0;
  return n > 0 ? spaces(Math.min(n, MAX_INDENT)) : "";
}

/** Writes durationPrefix(durationNs) to `out`, without making strings for the common durations (< 1 s). */
export function writeDurationPrefix(out: TextOutput, durationNs: number): void {
  if (!(durationNs >= 0 && durationNs < 1000000000)) {
    out.write(durationPrefix(durationNs));
    return;
  }
  // "<marker> " + "<us>.<nnn>" + " us " + pad to 7 + "|  ": at most 2 + 10 + 4 + 0 + 3 bytes.
  const buf = out.room(19);
  let at = out.at;
  const mark = durationNs > 1000000 ? 35 : durationNs > 100000 ? 33 : durationNs > 10000 ? 43 : 32;
  buf[at++] = mark;
  buf[at++] = 32;
  const usecs = ((durationNs | 0) / 1000) | 0;
  const rem = durationNs - usecs * 1000;
  const start = at;
  at = putUint(buf, at, usecs);
  buf[at++] = 46;
  at = put3(buf, at, rem);
  const numLength = at - start;
  buf[at++] = 32;
  buf[at++] = 117;
  buf[at++] = 115;
  buf[at++] = 32;
  at = putSpaces(buf, at, 7 - numLength);
  buf[at++] = 124;
  buf[at++] = 32;
  buf[at++] = 32;
  out.at = at;
}

/** The width of depthIndent(depth). */
export function depthIndentWidth(depth: number): number {
  return depth >= 0 && depth < 64 ? 2 * depth : Math.max(0, Math.min((depth * 2) | 0, MAX_INDENT));
}

/** Writes depthIndent(depth) to `out`. */
export function writeDepthIndent(out: TextOutput, depth: number): void {
  const n = depthIndentWidth(depth);
  const buf = out.room(n);
  out.at = putSpaces(buf, out.at, n);
}
