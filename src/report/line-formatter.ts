// The fixed columns of a report line for one file (report-output.md §2, §3, §5): task, CPU, latency
// flags, timestamp and event name, with the per-file caches that keep the hot loop free of padding work.
import { fieldNumberReader, type EventFormat, type EventTable, type FieldDef } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import { OPTION, type TraceFile } from "../tracedat/index.js";
import {
  UNKNOWN_EVENT,
  cpuColumn,
  eventNameColumn,
  latencyFlags,
  rawLatencyFlags,
  taskColumn,
} from "./line-parts.js";
import { TimestampFormatter, USEC_COLUMN_MAX, timestampStyle, type TimestampStyle } from "./timestamps.js";
import { COLOR, paint, putBytes, type TextOutput } from "../base/index.js";
import { latin1Bytes } from "./digits.js";

type NumberReader = (rec: RawRecord) => number;

/** How the columns are laid out. */
export interface LineStyle {
  /** `-l` latency columns. */
  latency: boolean;
  /** `-R` (with `-l`: flags as `-0x..`). */
  raw: boolean;
  timestamps: TimestampStyle;
  /** Whole seconds added to the timestamps shown (TraceFile.dateSecs; 0 with --align-ts). */
  baseSecs?: number;
  /** Colour the latency flags (ANSI); off unless the CLI asks. */
  color?: boolean;
}

/** True when the file has at least one option record with this id. */
export function hasOption(trace: TraceFile, id: number): boolean {
  return trace.options.some((o) => o.id === id);
}

/** The timestamp style of one file for `-t` / `--raw-ts` (report-output.md §3). */
export function fileTimestampStyle(trace: TraceFile, options: { nsTimestamps?: boolean; rawTs?: boolean }): TimestampStyle {
  return timestampStyle({
    clock: hasOption(trace, OPTION.TRACECLOCK) ? trace.traceClock : undefined,
    hasTsc2nsec: hasOption(trace, OPTION.TSC2NSEC),
    nsTimestamps: options.nsTimestamps === true,
    rawTs: options.rawTs === true,
  });
}

/**
 * A common field, from the first event that has common fields: every event of a kernel has the same ones
 * (libtraceevent looks in one event too), and a field that is absent (common_lock_depth on new kernels)
 * must not parse the ~1500 formats of a file to find that out.
 */
function commonField(table: EventTable, name: string): FieldDef | undefined {
  for (const ev of table.all()) {
    const common = ev.commonFields;
    if (common.length > 0) return common.find((c) => c.name === name);
  }
  return undefined;
}

/** The task column of one pid, and the task and CPU columns as bytes per CPU (writeTaskColumns). */
interface TaskColumn {
  pid: number;
  comm: string;
  text: string;
  bytes: Uint8Array[];
  /** TaskNames.generation when comm was last checked. */
  generation: number;
}

/** Builds the columns before the event text for records of one file. */
export class LineFormatter {
  /** common_pid, common_flags, common_preempt_count readers. */
  readonly pid: NumberReader;
  readonly flags: NumberReader;
  private readonly type: NumberReader;
  private readonly preemptCount: NumberReader;
  private readonly migrateDisable: NumberReader | undefined;
  private readonly lockDepth: NumberReader | undefined;
  private readonly tasks = new Map<number, TaskColumn>();
  /** Per CPU: the task of its last record. */
  private readonly lastTask: (TaskColumn | undefined)[] = [];
  private readonly nameColumns: string[] = [];
  private readonly nameColumnBytes: Uint8Array[] = [];
  private readonly cpuColumns: string[] = [];
  readonly timestamps: TimestampFormatter;

  constructor(
    private readonly trace: TraceFile,
    private readonly style: LineStyle,
  ) {
    const table = trace.events;
    const reader = (name: string): NumberReader | undefined => {
      const f = commonField(table, name);
      return f ? fieldNumberReader(f, table.info) : undefined;
    };
    const zero: NumberReader = () => 0;
    this.type = reader("common_type") ?? zero;
    this.pid = reader("common_pid") ?? zero;
    this.flags = reader("common_flags") ?? zero;
    this.preemptCount = reader("common_preempt_count") ?? zero;
    // libtraceevent 1.7.1 reads common_migrate_disable through the lock-depth slot: when a file has
    // common_lock_depth, the "migrate disable" column repeats the lock depth (data_latency_format).
    this.lockDepth = reader("common_lock_depth");
    this.migrateDisable = this.lockDepth ?? reader("common_migrate_disable");
    this.timestamps = new TimestampFormatter(style.timestamps, style.baseSecs ?? 0);
  }

  /** The event format of a record (by common_type), or undefined for an id the file does not describe. */
  eventOf(rec: RawRecord): EventFormat | undefined {
    return this.trace.events.byId(this.type(rec));
  }

  /** The cached task column of a record's pid. */
  private task(rec: RawRecord): TaskColumn {
    const pid = this.pid(rec) | 0;
    const names = this.trace.tasks;
    // Most records of a CPU have the pid of the one before: no lookups while no name was learnt since.
    const last = this.lastTask[rec.cpu];
    if (last !== undefined && last.pid === pid && last.generation === names.generation) return last;
    const comm = names.comm(pid);
    let task = this.tasks.get(pid);
    // TaskNames learns names from sched events as they print: rebuild when its answer changes.
    if (task === undefined || task.comm !== comm) {
      task = { pid, comm, text: taskColumn(comm, pid, this.style.latency), bytes: [], generation: 0 };
      this.tasks.set(pid, task);
    }
    task.generation = names.generation;
    this.lastTask[rec.cpu] = task;
    return task;
  }

  private cpuColumn(cpu: number): string {
    return this.cpuColumns[cpu] ?? (this.cpuColumns[cpu] = cpuColumn(cpu, this.style.latency));
  }

  /** Task, CPU and (with -l) latency columns: `            bash-1234  [000]`. */
  taskColumns(rec: RawRecord): string {
    let text = this.task(rec).text + this.cpuColumn(rec.cpu);
    if (this.style.latency) text += this.latencyColumn(rec);
    return text;
  }

  /** Writes taskColumns(rec) to `out`. */
  writeTaskColumns(rec: RawRecord, out: TextOutput): void {
    const task = this.task(rec);
    const cpu = rec.cpu;
    out.writeBytes(task.bytes[cpu] ?? (task.bytes[cpu] = latin1Bytes(task.text + this.cpuColumn(cpu))));
    if (this.style.latency) out.write(this.latencyColumn(rec));
  }

  /** The `-l` flag string, or `-0x<flags>` with `-R`. */
  latencyColumn(rec: RawRecord): string {
    const flags = this.flags(rec);
    if (this.style.raw) return rawLatencyFlags(flags);
    const text = latencyFlags(
      flags,
      this.preemptCount(rec),
      this.migrateDisable === undefined ? undefined : this.migrateDisable(rec) | 0,
      this.lockDepth === undefined ? undefined : this.lockDepth(rec) | 0,
    );
    return this.style.color === true ? colorLatencyFlags(text) : text;
  }

  /** What a record with an unknown event id gets instead of task, CPU, flags and timestamp. */
  unknownColumns(rec: RawRecord): string {
    let text = UNKNOWN_EVENT;
    if (this.style.latency) text += this.style.raw ? rawLatencyFlags(this.flags(rec)) : UNKNOWN_EVENT;
    return text + UNKNOWN_EVENT;
  }

  /** ` name: ` padded to 20 name characters; `(NULL)` for an unknown event. */
  nameColumn(event: EventFormat | undefined): string {
    if (event === undefined) return eventNameColumn("(NULL)");
    return this.nameColumns[event.id] ?? (this.nameColumns[event.id] = eventNameColumn(event.name));
  }

  /** Writes nameColumn(event) to `out`. */
  writeNameColumn(event: EventFormat | undefined, out: TextOutput): void {
    if (event === undefined) out.write(this.nameColumn(event));
    else out.writeBytes(this.nameBytes(event));
  }

  private nameBytes(event: EventFormat): Uint8Array {
    return this.nameColumnBytes[event.id] ?? (this.nameColumnBytes[event.id] = latin1Bytes(this.nameColumn(event)));
  }

  /**
   * Writes taskColumns(rec) + timestamps.column(ts) + nameColumn(event) to `out`: with one reservation of
   * room in the common case (no -l, µs timestamps), the hot path of a report.
   */
  writeColumns(rec: RawRecord, ts: number, event: EventFormat, out: TextOutput): void {
    const stamps = this.timestamps;
    if (this.style.latency || !stamps.isUsecColumn(ts)) {
      this.writeTaskColumns(rec, out);
      stamps.writeColumn(ts, out);
      this.writeNameColumn(event, out);
      return;
    }
    const task = this.task(rec);
    const cpu = rec.cpu;
    const head = task.bytes[cpu] ?? (task.bytes[cpu] = latin1Bytes(task.text + this.cpuColumn(cpu)));
    const name = this.nameBytes(event);
    const buf = out.room(head.length + USEC_COLUMN_MAX + name.length);
    let at = putBytes(buf, out.at, head);
    at = stamps.putUsecColumn(ts, buf, at);
    out.at = putBytes(buf, at, name);
  }
}

/** Appends event text, dropping one trailing newline (trace-cmd trims it before printing its own). */
export function trimEventText(text: string): string {
  return text.length > 0 && text.charCodeAt(text.length - 1) === 10 ? text.slice(0, -1) : text;
}

/** Colour per latency flag: irqs off red, need-resched yellow, irq context magenta, depths cyan; '.' stays plain. */
const FLAG_COLORS: Record<string, number> = { d: COLOR.red, X: COLOR.red, N: COLOR.yellow, h: COLOR.magenta, s: COLOR.magenta, H: COLOR.magenta };

/** The `-l` flag string with each set flag coloured (same characters, so the columns keep their width). */
export function colorLatencyFlags(text: string): string {
  let out = "";
  for (const ch of text) out += ch === "." ? ch : paint(ch, FLAG_COLORS[ch] ?? COLOR.cyan);
  return out;
}
