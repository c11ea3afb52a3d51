// Summaries of completed calls: strace's -c table (-S order, per thread with --summary-by-thread) and
// latency histograms in log2 buckets with bpftrace-style bars. Times are the calls' wall latencies.
import { COLOR, paint } from "../base/index.js";
import type { SyscallSlice } from "../model/index.js";
import { errnoOf } from "./errno.js";

/** strace's -S keys (with its aliases). */
export type SummarySort = "time" | "min-time" | "max-time" | "avg-time" | "calls" | "errors" | "name" | "nothing";

const SORT_ALIASES: Record<string, SummarySort> = {
  time: "time", "total-time": "time", "min-time": "min-time", shortest: "min-time", "max-time": "max-time", longest: "max-time",
  "avg-time": "avg-time", calls: "calls", count: "calls", errors: "errors", error: "errors", name: "name", syscall: "name",
  "syscall-name": "name", nothing: "nothing", none: "nothing",
};

/** The -S key for `text`, or undefined when strace does not know it. */
export function parseSummarySort(text: string): SummarySort | undefined {
  return SORT_ALIASES[text];
}

/** Counts of one call name. */
export interface SyscallStats {
  name: string;
  calls: number;
  errors: number;
  totalNs: bigint;
  minNs: bigint | undefined;
  maxNs: bigint | undefined;
  /** Calls per log2 bucket of the latency in ns: [0] is 0 ns, [k] is [2^(k-1), 2^k). */
  buckets: number[];
}

/**
 * Counts of one call name while counting: times as numbers of ns (exact below 2^53 ns, 104 days), so that
 * a call costs no BigInt arithmetic; SyscallStats are made from them at the end.
 */
interface Counts {
  name: string;
  calls: number;
  errors: number;
  totalNs: number;
  /** A call with a duration was counted: minNs and maxNs hold. */
  timed: boolean;
  minNs: number;
  maxNs: number;
  buckets: number[];
}

function newCounts(name: string): Counts {
  return { name, calls: 0, errors: 0, totalNs: 0, timed: false, minNs: Infinity, maxNs: -Infinity, buckets: [] };
}

function toStats(c: Counts): SyscallStats {
  return {
    name: c.name, calls: c.calls, errors: c.errors, totalNs: BigInt(c.totalNs),
    minNs: c.timed ? BigInt(c.minNs) : undefined, maxNs: c.timed ? BigInt(c.maxNs) : undefined, buckets: [...c.buckets],
  };
}

/** Collects completed calls per thread (the totals are their sum). Memory: one entry per (thread, name). */
export class SyscallSummary {
  private readonly byThread = new Map<number, { comm: string; stats: Map<string, Counts> }>();
  /** The last call's thread: a flood comes from one thread at a time. */
  private last: { tid: number; stats: Map<string, Counts> } | undefined;
  /** Call names in the order first seen (the order of -S nothing). */
  private readonly names = new Set<string>();

  /** Adds one completed call (calls without an exit are not counted, as in strace). */
  add(call: SyscallSlice): void {
    if (call.exitMissing) return;
    let last = this.last;
    if (last === undefined || last.tid !== call.tid) {
      let t = this.byThread.get(call.tid);
      if (t === undefined) this.byThread.set(call.tid, (t = { comm: call.comm, stats: new Map() }));
      this.last = last = { tid: call.tid, stats: t.stats };
    }
    if (bump(last.stats, call)) this.names.add(call.name);
  }

  /** The totals by call name. */
  stats(): SyscallStats[] {
    const total = new Map<string, Counts>();
    for (const name of this.names) total.set(name, newCounts(name));
    for (const t of this.byThread.values()) {
      for (const s of t.stats.values()) {
        const sum = total.get(s.name)!;
        sum.calls += s.calls;
        sum.errors += s.errors;
        sum.totalNs += s.totalNs;
        sum.timed ||= s.timed;
        sum.minNs = Math.min(sum.minNs, s.minNs);
        sum.maxNs = Math.max(sum.maxNs, s.maxNs);
        s.buckets.forEach((n, k) => (sum.buckets[k] = (sum.buckets[k] ?? 0) + n));
      }
    }
    return [...total.values()].map(toStats);
  }

  /** strace's -c table over every thread (`color`: see formatTable). */
  table(sort: SummarySort = "time", color = false): string {
    return formatTable(this.stats(), sort, color);
  }

  /** One table per thread, each under `comm/tid:`, threads in tid order. */
  tablesByThread(sort: SummarySort = "time", color = false): string {
    return [...this.byThread.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([tid, t]) => `${t.comm}/${tid}:\n${formatTable([...t.stats.values()].map(toStats), sort, color)}`)
      .join("\n");
  }

  /** Latency histograms, one per call name, most called first. */
  histograms(color = false): string {
    const all = this.stats().sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
    return all.map((s) => formatHistogram(s, color)).join("\n");
  }
}

/** Counts `call` in `map`; true when its name is new there. */
function bump(map: Map<string, Counts>, call: SyscallSlice): boolean {
  let s = map.get(call.name);
  const added = s === undefined;
  if (s === undefined) map.set(call.name, (s = newCounts(call.name)));
  s.calls++;
  if (call.ret !== undefined && errnoOf(call.ret) !== 0) s.errors++;
  const d = call.durNs ?? (call.dur === undefined ? NaN : Number(call.dur));
  if (Number.isNaN(d)) return added;
  s.timed = true;
  s.totalNs += d;
  if (d < s.minNs) s.minNs = d;
  if (d > s.maxNs) s.maxNs = d;
  const k = bitLength(d);
  s.buckets[k] = (s.buckets[k] ?? 0) + 1;
  return added;
}

/** Bits of d (0 for d <= 0): its log2 bucket. */
function bitLength(d: number): number {
  if (d <= 0) return 0;
  return d < 4294967296 ? 32 - Math.clz32(d) : 64 - Math.clz32(Math.floor(d / 4294967296));
}

const avg = (s: SyscallStats): bigint => (s.calls > 0 ? s.totalNs / BigInt(s.calls) : 0n);

function compare(sort: SummarySort): ((a: SyscallStats, b: SyscallStats) => number) | undefined {
  const desc = (f: (s: SyscallStats) => bigint | number) => (a: SyscallStats, b: SyscallStats) => {
    const x = f(a);
    const y = f(b);
    return x < y ? 1 : x > y ? -1 : a.name.localeCompare(b.name);
  };
  switch (sort) {
    case "time": return desc((s) => s.totalNs);
    case "min-time": return desc((s) => s.minNs ?? 0n);
    case "max-time": return desc((s) => s.maxNs ?? 0n);
    case "avg-time": return desc(avg);
    case "calls": return desc((s) => s.calls);
    case "errors": return desc((s) => s.errors);
    case "name": return (a, b) => a.name.localeCompare(b.name);
    case "nothing": return undefined;
  }
}

const RULE = "------ ----------- ----------- --------- --------- ----------------";

/**
 * strace's table: `% time  seconds  usecs/call  calls  errors syscall`, a rule, the rows, a rule, the total.
 * `color`: the header in bold, error counts in red (the padding stays outside the codes: columns keep their place).
 */
export function formatTable(stats: SyscallStats[], sort: SummarySort = "time", color = false): string {
  const rows = [...stats];
  const cmp = compare(sort);
  if (cmp !== undefined) rows.sort(cmp);
  const total = rows.reduce((t, s) => t + s.totalNs, 0n);
  const calls = rows.reduce((t, s) => t + s.calls, 0);
  const errors = rows.reduce((t, s) => t + s.errors, 0);
  const pct = (ns: bigint): string => (total === 0n ? 0 : (Number(ns) * 100) / Number(total)).toFixed(2).padStart(6);
  const errs = (e: number): string => (e === 0 ? "".padStart(9) : color ? " ".repeat(Math.max(0, 9 - String(e).length)) + paint(String(e), COLOR.red) : String(e).padStart(9));
  const row = (p: string, ns: bigint, perCall: bigint, n: number, e: number, name: string): string =>
    `${p} ${(Number(ns) / 1e9).toFixed(6).padStart(11)} ${String(perCall / 1000n).padStart(11)} ${String(n).padStart(9)} ${errs(e)} ${name}`;
  const header = "% time     seconds  usecs/call     calls    errors syscall";
  const lines = [color ? paint(header, COLOR.bold) : header, RULE];
  for (const s of rows) lines.push(row(pct(s.totalNs), s.totalNs, avg(s), s.calls, s.errors, s.name));
  lines.push(RULE);
  lines.push(row(total === 0n ? "  0.00" : "100.00", total, calls > 0 ? total / BigInt(calls) : 0n, calls, errors, "total"));
  return lines.join("\n") + "\n";
}

/** A bucket bound in ns with bpftrace's suffixes: 512, 1K, 2M. */
function bound(k: number): string {
  if (k === 0) return "0";
  const v = 2 ** (k - 1);
  if (v >= 2 ** 30) return `${v / 2 ** 30}G`;
  if (v >= 2 ** 20) return `${v / 2 ** 20}M`;
  if (v >= 2 ** 10) return `${v / 2 ** 10}K`;
  return String(v);
}

const BAR = 52;

/**
 * One call's histogram: a title, then `[lo, hi)  count |@@@@...|` per bucket from the first to the last used.
 * `color`: the title in bold and the bars in cyan.
 */
export function formatHistogram(s: SyscallStats, color = false): string {
  const used = s.buckets.map((n, k) => (n ? k : -1)).filter((k) => k >= 0);
  const title = `${s.name}: ${s.calls} calls, latency in ns`;
  const lines = [color ? paint(title, COLOR.bold) : title];
  if (used.length === 0) return lines.join("\n") + "\n";
  const max = Math.max(...used.map((k) => s.buckets[k]!));
  for (let k = used[0]!; k <= used[used.length - 1]!; k++) {
    const n = s.buckets[k] ?? 0;
    const label = k === 0 ? "[0]" : `[${bound(k)}, ${bound(k + 1)})`;
    const bar = "@".repeat(Math.round((n * BAR) / max));
    const padded = color && bar !== "" ? paint(bar, COLOR.cyan) + " ".repeat(BAR - bar.length) : bar.padEnd(BAR);
    lines.push(`${label.padEnd(14)} ${String(n).padStart(8)} |${padded}|`);
  }
  return lines.join("\n") + "\n";
}
