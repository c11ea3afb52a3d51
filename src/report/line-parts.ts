// Pieces of the `trace-cmd report` event line other than the timestamp (report-output.md §2, §5):
// task and CPU columns, latency flags for `-l`, the event-name column, the missed-events line.
import { padLeft, padRight, spaces } from "./digits.js";

/** Name printed for an event id the file has no format for (libtraceevent 1.7.1). */
export const UNKNOWN_EVENT = "[UNKNOWN EVENT]";

/** ` %s: ` then spaces up to 20 characters of name (`print_event_name` in trace-cmd 3.1.6). */
export function eventNameColumn(name: string): string {
  return " " + name + ": " + spaces(20 - name.length);
}

/** `%16s-%-5d [%03d]` (normal) or `%8.8s-%-5d %3d` (`-l`, comm cut to 8 characters). */
export function taskColumn(comm: string, pid: number, latency: boolean): string {
  if (latency) return padLeft(comm.length > 8 ? comm.slice(0, 8) : comm, 8) + "-" + padRight(String(pid), 5);
  return padLeft(comm, 16) + "-" + padRight(String(pid), 5);
}

/** The CPU part after the task column: ` [%03d]`, or ` %3d` with `-l`. */
export function cpuColumn(cpu: number, latency: boolean): string {
  if (latency) return " " + padLeft(String(cpu), 3);
  const s = String(cpu);
  return " [" + (s.length >= 3 ? s : "00".slice(s.length - 1) + s) + "]";
}

/** `CPU:%d [%lld EVENTS DROPPED]\n`, or the count-less form for -1 (ring-buffer-and-events.md §1.1). */
export function missedEventsLine(cpu: number, missed: number): string {
  return missed > 0 ? "CPU:" + cpu + " [" + missed + " EVENTS DROPPED]\n" : "CPU:" + cpu + " [EVENTS DROPPED]\n";
}

const IRQS_OFF = 0x01;
const IRQS_NOSUPPORT = 0x02;
const NEED_RESCHED = 0x04;
const HARDIRQ = 0x08;
const SOFTIRQ = 0x10;

/**
 * The `-l` flag string (report-output.md §5): irqs-off, need-resched, hard/soft irq, preempt depth,
 * migrate-disable depth, then the optional common_migrate_disable and common_lock_depth values
 * (pass undefined when the file has no such field; values are C ints, negative prints `.`).
 */
export function latencyFlags(flags: number, preemptCount: number, migrateDisable?: number, lockDepth?: number): string {
  const hard = (flags & HARDIRQ) !== 0;
  const soft = (flags & SOFTIRQ) !== 0;
  let s =
    (flags & IRQS_OFF ? "d" : flags & IRQS_NOSUPPORT ? "X" : ".") +
    (flags & NEED_RESCHED ? "N" : ".") +
    (hard && soft ? "H" : hard ? "h" : soft ? "s" : ".") +
    (preemptCount & 0xf ? (preemptCount & 0xf).toString(16) : ".") +
    (preemptCount & 0xf0 ? (preemptCount >>> 4).toString(16) : ".");
  if (migrateDisable !== undefined) s += migrateDisable < 0 ? "." : String(migrateDisable);
  if (lockDepth !== undefined) s += lockDepth < 0 ? "." : String(lockDepth);
  return s;
}

/** `-R -l`: the flags as `-0x%x` instead of the flag string. */
export function rawLatencyFlags(flags: number): string {
  return "-0x" + flags.toString(16);
}

/** The hardirq / softirq bits of common_flags, for `-I` / `-S`. */
export const TRACE_FLAG_HARDIRQ = HARDIRQ;
export const TRACE_FLAG_SOFTIRQ = SOFTIRQ;
