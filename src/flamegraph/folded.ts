// Stacks -> the folded text of flamegraph.pl/inferno/speedscope: "root;...;leaf weight", root first.
import type { WeightedStack } from "../model/index.js";

/** How stacks fold. */
export interface FoldOptions {
  /** Keep only the kernel or only the user frames (the process name stays at the root). */
  only?: "kernel" | "user";
  /** "ns" (default): summed nanoseconds; "count": samples. */
  weight?: "ns" | "count";
}

/** A frame name made safe for the folded format (no ';', no line breaks). */
export function foldedFrameName(name: string): string {
  return /[;\n\r]/.test(name) ? name.replace(/;/g, ":").replace(/[\n\r]/g, " ") : name;
}

/**
 * Folds stacks: process name, then user frames outermost first, then kernel frames (user below kernel,
 * as perf shows them). Returns folded stack -> weight; stacks of zero or negative weight are left out (a
 * negative self time comes from call records whose CPUs' clocks disagree).
 */
export function foldStacks(stacks: readonly WeightedStack[], options: FoldOptions = {}): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of stacks) {
    const w = options.weight === "count" ? s.count : s.weightNs;
    if (w <= 0) continue;
    const frames = [s.comm];
    if (options.only !== "kernel") frames.push(...s.user);
    if (options.only !== "user") frames.push(...s.kernel);
    const key = frames.map(foldedFrameName).join(";");
    out.set(key, (out.get(key) ?? 0) + w);
  }
  return out;
}

/** The folded text: one "stack weight" line per stack, sorted by stack as stackcollapse does. */
export function foldedText(folded: ReadonlyMap<string, number>): string {
  const keys = [...folded.keys()].sort();
  let text = "";
  for (const k of keys) text += `${k} ${folded.get(k)}\n`;
  return text;
}
