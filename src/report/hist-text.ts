// The text of `trace-cmd hist` (3.1.6): each call site's callers as a tree, the counts and shares. The
// model counts the call sites (model/call-sites.ts); this file only lays them out.
import type { TextOutput } from "../base/index.js";

/** One frame of a call-site tree and the frames it was called from. */
export interface CallSiteChain {
  /** Function or event name; undefined for an address kallsyms does not know. */
  name: string | undefined;
  count: number;
  /** The chain ends in an event (printed `*name*`). */
  event: boolean;
  pid: number;
  /** Callers, most counted first. */
  parents: readonly CallSiteChain[];
}

/** The call sites of one buffer. */
export interface CallSiteHistogram {
  /** Instance name ("" for the top buffer). */
  buffer: string;
  /** All tasks counted together (`-P`). */
  compact: boolean;
  /** Stacks counted (the base of the top-level shares). */
  total: number;
  /** Leaf frames, most counted first. */
  chains: readonly CallSiteChain[];
  /** The task name of a pid, as known at the end of the trace. */
  comm(pid: number): string;
}

const START = "         |\n";
const TICK = "         --- ";
const BLANK = "          ";
const LINE = "            |";
const INDENT = "             ";

/** C's `%.2f` of a share in percent: glibc rounds an exact tie to even, toFixed() rounds it up. */
export function percent2(total: number, part: number): string {
  const x = (part / total) * 100;
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  // Ties at the third decimal are odd multiples of 1/8 (exact in binary).
  if (Number.isInteger(x * 8) && !Number.isInteger(x * 4)) {
    const down = Math.floor(x * 100);
    if (down % 2 === 0) return (down / 100).toFixed(2);
  }
  return x.toFixed(2);
}

const text = (name: string | undefined): string => name ?? "(null)";

function singleChain(c: CallSiteChain): boolean {
  for (let n = c; ; n = n.parents[0]!) {
    if (n.parents.length > 1) return false;
    if (n.parents.length === 0) return true;
  }
}

/** Where the text goes, piece by piece. */
interface Sink {
  push(...pieces: string[]): void;
}

/** Lays out one histogram into `out`. */
class HistWriter {
  /** The columns that still have a `|` running down (trace-cmd's line mask). */
  private readonly lines: boolean[] = [];

  constructor(private readonly out: Sink) {}

  private indent(n: number): void {
    let s = "";
    for (let i = 0; i < n; i++) s += this.lines[i] === true ? LINE : INDENT;
    this.out.push(s);
  }

  private singleParent(c: CallSiteChain, indent: number): void {
    this.indent(indent);
    this.out.push(BLANK + text(c.parents[0]!.name) + "\n");
  }

  private dumpChain(c: CallSiteChain, indent: number): void {
    for (let n = c; n.parents.length > 0; n = n.parents[0]!) this.singleParent(n, indent);
  }

  parents(c: CallSiteChain, indent: number): void {
    if (singleChain(c)) {
      this.dumpChain(c, indent);
      return;
    }
    this.lines[indent] = true;
    c.parents.forEach((parent, x) => {
      this.indent(indent + 1);
      this.out.push("\n");
      this.indent(indent + 1);
      this.out.push(`--%${percent2(c.count, parent.count)}-- ${text(parent.name)}  # ${parent.count}\n`);
      if (x === c.parents.length - 1) this.lines.length = indent;
      if (singleChain(parent)) {
        this.dumpChain(parent, indent + 1);
        return;
      }
      let p = parent;
      while (p.parents.length === 1 && p.parents[0]!.count === p.count) {
        this.singleParent(p, indent + 1);
        p = p.parents[0]!;
      }
      this.parents(p, indent + 1);
    });
  }
}

/** Writes one top-level chain (a call site and its callers). */
function writeChain(h: CallSiteHistogram, c: CallSiteChain, first: boolean, w: HistWriter, out: Sink): void {
  if (!first) out.push("\n");
  const share = percent2(h.total, c.count);
  const name = text(c.name).padStart(30);
  out.push(h.compact ? `  %${share} <all pids> ${name} #${c.count}\n` : `  %${share}  (${c.pid}) ${h.comm(c.pid)} ${name} #${c.count}\n`);
  out.push(START, TICK + (c.event ? `*${text(c.name)}*` : text(c.name)) + "\n");
  w.parents(c, 0);
}

/**
 * The text `trace-cmd hist` prints for one buffer's call sites.
 * @example
 * process.stdout.write(callSiteText(histogram), "latin1");
 */
export function callSiteText(h: CallSiteHistogram): string {
  const out: string[] = [];
  const w = new HistWriter(out);
  h.chains.forEach((c, i) => writeChain(h, c, i === 0, w, out));
  return out.join("");
}

/** Writes the text of callSiteText() to `out` as it is made (the text of a large trace runs to tens of MB). */
export async function writeCallSites(h: CallSiteHistogram, out: TextOutput): Promise<void> {
  const sink: Sink = { push: (...pieces) => pieces.forEach((p) => out.write(p)) };
  const w = new HistWriter(sink);
  for (let i = 0; i < h.chains.length && !out.isClosed; i++) {
    writeChain(h, h.chains[i]!, i === 0, w, sink);
    await out.maybeFlush();
  }
}
