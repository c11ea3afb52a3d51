// User-space function graph: uprobe entry / uretprobe return events (tracefs-control.md §3.4: entry events
// have `__probe_ip`, return events `__probe_ret_ip`; the return event is named FUNC__return) rendered as a
// call tree per thread in the function_graph layout of report-output.md §4.1 (leaf `func();` when the
// thread's next event is the matching return, else `func() {` ... `}` with the duration), and a per-function
// summary (calls, total, self). Lines come out in time order; an entry waits only for its thread's next event.
import type { TextOutput } from "../base/index.js";
import { openTrace } from "../tracedat/index.js";
import type { TraceFile } from "../tracedat/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import { padLeft, zero6 } from "./digits.js";
import { depthIndent, durationPrefix, NESTED_PREFIX } from "./funcgraph-text.js";
import { cpuColumn, taskColumn } from "./line-parts.js";
import { LineFormatter } from "./line-formatter.js";
import { StreamMerge } from "./stream-merge.js";

/** One uprobe hit, in global time order. */
export interface UfuncEvent {
  /** Timestamp in ns (exact below 2^53, as RawRecord.ts). */
  tsNs: number;
  cpu: number;
  pid: number;
  comm: string;
  func: string;
  isReturn: boolean;
}

/** One rendered graph line before text formatting. */
export interface UfuncGraphLine {
  /** entry `f() {`, leaf `f();`, exit `}`, or a return whose entry was not seen. */
  kind: "entry" | "leaf" | "exit" | "orphan-exit";
  tsNs: number;
  cpu: number;
  pid: number;
  comm: string;
  func: string;
  depth: number;
  /** Duration for leaf and exit lines. */
  durationNs?: number;
}

interface Frame { func: string; tsNs: number; childNs: number }
interface Pending { line: UfuncGraphLine; done: boolean }
interface ThreadState { stack: Frame[]; open: Pending | undefined }

/** Per-function totals of `--summary`. */
export interface UfuncStats { func: string; calls: number; totalNs: number; selfNs: number; minNs: number; maxNs: number }

/**
 * Turns events into graph lines per thread. Push events in time order; lines are handed to `emit` in the
 * same order, each as soon as its form (leaf or nested) is known. Call `finish()` at the end.
 */
export class UfuncGraphBuilder {
  readonly #threads = new Map<number, ThreadState>();
  readonly #queue: Pending[] = [];
  #head = 0;
  readonly #stats = new Map<string, UfuncStats>();

  constructor(private readonly emit: (line: UfuncGraphLine) => void) {}

  /** Adds one event (time order). */
  push(ev: UfuncEvent): void {
    let t = this.#threads.get(ev.pid);
    if (t === undefined) {
      t = { stack: [], open: undefined };
      this.#threads.set(ev.pid, t);
    }
    const open = t.open;
    t.open = undefined;
    if (open !== undefined) {
      open.done = true;
      const top = t.stack[t.stack.length - 1];
      if (ev.isReturn && top !== undefined && top.func === ev.func && open.line.func === ev.func) {
        // The entry's next event on this thread is its own return: one leaf line, the return is swallowed.
        open.line.kind = "leaf";
        open.line.durationNs = this.#close(t, t.stack.length - 1, ev.tsNs);
        this.#flush();
        return;
      }
    }
    if (!ev.isReturn) {
      const line: UfuncGraphLine = { kind: "entry", tsNs: ev.tsNs, cpu: ev.cpu, pid: ev.pid, comm: ev.comm, func: ev.func, depth: t.stack.length };
      t.stack.push({ func: ev.func, tsNs: ev.tsNs, childNs: 0 });
      const p: Pending = { line, done: false };
      t.open = p;
      this.#queue.push(p);
    } else {
      // Match the innermost open frame of this function; frames above it lost their returns (longjmp, exit).
      let i = t.stack.length - 1;
      while (i >= 0 && t.stack[i]!.func !== ev.func) i--;
      const line: UfuncGraphLine = { kind: "orphan-exit", tsNs: ev.tsNs, cpu: ev.cpu, pid: ev.pid, comm: ev.comm, func: ev.func, depth: 0 };
      if (i >= 0) {
        line.kind = "exit";
        line.depth = i;
        line.durationNs = this.#close(t, i, ev.tsNs);
      }
      this.#queue.push({ line, done: true });
    }
    this.#flush();
  }

  /** Pops frames down to index i, accounts the call, and returns its duration. */
  #close(t: ThreadState, i: number, tsNs: number): number {
    const frame = t.stack[i]!;
    t.stack.length = i;
    const dur = tsNs - frame.tsNs;
    const parent = t.stack[i - 1];
    if (parent !== undefined) parent.childNs += dur;
    let s = this.#stats.get(frame.func);
    if (s === undefined) {
      s = { func: frame.func, calls: 0, totalNs: 0, selfNs: 0, minNs: dur, maxNs: dur };
      this.#stats.set(frame.func, s);
    }
    s.calls++;
    s.totalNs += dur;
    s.selfNs += dur - frame.childNs;
    if (dur < s.minNs) s.minNs = dur;
    if (dur > s.maxNs) s.maxNs = dur;
    return dur;
  }

  #flush(): void {
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.done) this.emit(this.#queue[this.#head++]!.line);
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Emits what is still waiting (entries whose thread had no later event stay `f() {`). */
  finish(): void {
    for (const p of this.#queue) p.done = true;
    this.#flush();
  }

  /** Completed calls per function, by total time (largest first). */
  stats(): UfuncStats[] {
    return [...this.#stats.values()].sort((a, b) => b.totalNs - a.totalNs || a.func.localeCompare(b.func));
  }
}

/** `  <11 spaces>|  ` style graph text of one line (report-output.md §4.1), optionally with ` /* func *\/` on exits. */
export function ufuncGraphText(line: UfuncGraphLine, options: { tailprint?: boolean } = {}): string {
  const indent = depthIndent(line.depth);
  switch (line.kind) {
    case "entry": return NESTED_PREFIX + indent + line.func + "() {";
    case "leaf": return durationPrefix(line.durationNs!) + indent + line.func + "();";
    case "exit": return durationPrefix(line.durationNs!) + indent + "}" + (options.tailprint === true ? ` /* ${line.func} */` : "");
    case "orphan-exit": return NESTED_PREFIX + "} /* " + line.func + " */";
  }
}

/** Seconds.microseconds of a ns timestamp, rounded like report-output.md §3. */
function usTimestamp(tsNs: number): string {
  const us = Math.floor((tsNs + 500) / 1000);
  const usPart = us % 1000000;
  return padLeft(String((us - usPart) / 1000000), 5) + "." + zero6(usPart);
}

/** The `--summary` table: calls, total and self time (µs) per function. */
export function ufuncSummaryText(stats: readonly UfuncStats[]): string {
  const us = (ns: number): string => (ns / 1000).toFixed(3);
  const rows = stats.map((s) => [String(s.calls), us(s.totalNs), us(s.selfNs), us(s.minNs), us(s.maxNs), s.func]);
  const head = ["calls", "total(us)", "self(us)", "min(us)", "max(us)", "function"];
  const widths = head.slice(0, 5).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.slice(0, 5).map((c, i) => padLeft(c, widths[i]!)).join("  ") + "  " + r[5] + "\n";
  return fmt(head) + rows.map(fmt).join("");
}

/** Event id -> (function, return?) for every uprobe/uretprobe event format of the trace. */
export function findUfuncEvents(trace: TraceFile): Map<number, { func: string; isReturn: boolean; key: string }> {
  const out = new Map<number, { func: string; isReturn: boolean; key: string }>();
  for (const ev of trace.events.all()) {
    const isReturn = ev.findField("__probe_ret_ip") !== undefined && ev.findField("__probe_func") !== undefined;
    const isEntry = !isReturn && ev.findField("__probe_ip") !== undefined;
    if (!isReturn && !isEntry) continue;
    const func = isReturn ? ev.name.replace(/__return$/, "") : ev.name;
    out.set(ev.id, { func, isReturn, key: `${ev.system}:${ev.name}` });
  }
  return out;
}

/** Options of writeUfuncgraph(). */
export interface UfuncgraphReportOptions {
  /** Per-function table instead of the graph. */
  summary?: boolean;
  /** ` /* func *\/` after each `}`. */
  tailprint?: boolean;
  /** Receives the reader's warnings; default: openTrace's (process.stderr). */
  onWarning?: (message: string) => void;
  /** Records that count (`-F`, `--cpu` of the report); default: all. */
  accept?: (rec: RawRecord) => boolean;
  /** Text before every graph line (the file name when several inputs are shown). */
  prefix?: string;
}

/** True when the trace holds the probes of `record -p ufuncgraph` (group `ufuncgraph_<binary>`, probes/probe-spec.ts). */
export function hasUfuncgraphProbes(trace: TraceFile): boolean {
  for (const ev of trace.events.all()) if (ev.system.startsWith("ufuncgraph_") && ev.findField("__probe_ip") !== undefined) return true;
  return false;
}

/**
 * Writes the user-space function graph of a trace (the uprobe/uretprobe events of its top buffer) to `out`:
 * `comm-pid [cpu] seconds: <graph text>` lines in time order, or the summary table.
 * @example
 * const trace = await openTrace("trace.dat");
 * await writeUfuncgraph(trace, new TextOutput(process.stdout), { summary: true });
 */
export async function writeUfuncgraph(trace: TraceFile, out: TextOutput, options: UfuncgraphReportOptions = {}): Promise<void> {
  // Dense by event id: what each uprobe event means for the graph (undefined for other events).
  const kinds: ({ func: string; isReturn: boolean } | undefined)[] = [];
  for (const [id, e] of findUfuncEvents(trace)) kinds[id] = e;
  const line = new LineFormatter(trace, { latency: false, raw: false, timestamps: "usec" });
  const prefix = options.prefix ?? "";
  const accept = options.accept;
  const builder = new UfuncGraphBuilder((l) => {
    if (options.summary === true) return;
    out.write(prefix + taskColumn(l.comm, l.pid, false) + cpuColumn(l.cpu, false) + " " + usTimestamp(l.tsNs) + ": " + ufuncGraphText(l, options) + "\n");
  });
  const b = trace.buffers.findIndex((x) => x.name === "");
  if (kinds.length > 0 && b >= 0) {
    const merge = await StreamMerge.open(trace.buffers[b]!.cpus.map((c) => c.cpu).sort((x, y) => x - y).map((cpu) => trace.cpuStream(b, cpu)));
    for (let n = 0; ; n++) {
      const i = merge.pick();
      if (i < 0) break;
      const rec = merge.streams[i]!.record;
      const ev = line.eventOf(rec);
      const u = ev === undefined ? undefined : kinds[ev.id];
      if (u !== undefined && (accept === undefined || accept(rec))) {
        const pid = line.pid(rec) | 0;
        builder.push({ tsNs: rec.ts, cpu: rec.cpu, pid, comm: trace.tasks.comm(pid), func: u.func, isReturn: u.isReturn });
      }
      if ((n & 1023) === 0) {
        await out.maybeFlush();
        if (out.isClosed) return;
      }
      await merge.advance(i);
    }
  }
  builder.finish();
  if (options.summary === true) out.write(ufuncSummaryText(builder.stats()));
  await out.flush();
}

/** Opens `path` and writes its user-space function graph (or `--summary` table); the `ftk report --ufuncgraph` entry. */
export async function writeUfuncgraphReport(path: string, out: TextOutput, options: UfuncgraphReportOptions = {}): Promise<void> {
  const trace = await openTrace(path, options.onWarning !== undefined ? { onWarning: options.onWarning } : {});
  try {
    await writeUfuncgraph(trace, out, options);
  } finally {
    await trace.close();
  }
}
