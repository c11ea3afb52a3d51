// The flame graph as a table: each frame's self and total weight, most self first (perf report's view of
// the same stacks). Read from the folded stacks, so it sums exactly what the picture shows.
import { COLOR, paint } from "../base/index.js";

/** One frame's weight over every stack: `self` where it is the leaf, `total` where it is anywhere. */
export interface FrameWeight {
  name: string;
  self: number;
  total: number;
}

/** Frames by self weight (then total, then name), and the weight of all stacks. */
export interface TopFrames {
  frames: FrameWeight[];
  total: number;
}

/**
 * Sums folded stacks per frame. The first frame of each stack is the process name, a root that is not a
 * function: it is left out. A frame that recurses counts once per stack in its total.
 */
export function topFrames(folded: ReadonlyMap<string, number>): TopFrames {
  const byName = new Map<string, FrameWeight>();
  const seen = new Set<string>();
  let total = 0;
  for (const [stack, w] of folded) {
    total += w;
    const frames = stack.split(";");
    seen.clear();
    for (let i = 1; i < frames.length; i++) {
      const name = frames[i]!;
      let f = byName.get(name);
      if (f === undefined) byName.set(name, (f = { name, self: 0, total: 0 }));
      if (!seen.has(name)) {
        f.total += w;
        seen.add(name);
      }
      if (i === frames.length - 1) f.self += w;
    }
  }
  const frames = [...byName.values()].sort((a, b) => b.self - a.self || b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { frames, total };
}

/** How the table prints. */
export interface TopTextOptions {
  /** Rows to print (default all). */
  limit?: number;
  /** "ns": weights are nanoseconds, printed as seconds; "count": samples. */
  unit: "ns" | "count";
  /** Header in bold; self % in red from 5% and green from 0.5% (perf report's thresholds). */
  color?: boolean;
}

/** The table: `self %  total %  self  total  frame`, a rule, one row per frame. */
export function topFramesText(top: TopFrames, o: TopTextOptions): string {
  const pct = (w: number): number => (top.total > 0 ? (w * 100) / top.total : 0);
  const amount = (w: number): string => (o.unit === "ns" ? (w / 1e9).toFixed(9) : String(w));
  const unit = o.unit === "ns" ? "seconds" : "samples";
  const header = ` self % total %  ${`self ${unit}`.padStart(13)}  ${`total ${unit}`.padStart(13)}  frame`;
  const lines = [o.color === true ? paint(header, COLOR.bold) : header, "------- -------  -------------  -------------  ----------------"];
  for (const f of top.frames.slice(0, o.limit ?? top.frames.length)) {
    const p = pct(f.self);
    let self = p.toFixed(2).padStart(7);
    if (o.color === true && p >= 0.5) self = paint(self, p >= 5 ? COLOR.red : COLOR.green);
    lines.push(`${self} ${pct(f.total).toFixed(2).padStart(7)}  ${amount(f.self).padStart(13)}  ${amount(f.total).padStart(13)}  ${f.name}`);
  }
  return lines.join("\n") + "\n";
}
