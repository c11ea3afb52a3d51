// Library access to decoded events without report text (issue "Read path" part 6): iterate a trace's
// events in time order with their field values, filtered by event, CPU and time; format one as a line.
import {
  fieldBigIntReader,
  fieldNumberReader,
  fieldSignedReader,
  fieldStringReader,
  type FieldDef,
  EventPrinter,
} from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { LineFormatter, fileTimestampStyle, trimEventText } from "./line-formatter.js";
import { StreamMerge } from "./stream-merge.js";

/** A field value: numbers up to 32 bits, bigints for 64-bit fields, strings for char arrays. */
export type FieldValue = number | bigint | string;

/** One decoded event; made per event at this API edge (the report loop does not use it). */
export interface TraceEvent {
  /** Timestamp in trace-clock units (ns for the usual clocks), after the file's adjustments. */
  ts: bigint;
  cpu: number;
  pid: number;
  comm: string;
  system: string;
  name: string;
  /** The event's own fields (not the common_* ones); non-char arrays are left out. */
  fields: Record<string, FieldValue>;
  /** ftrace:kernel_stack and ftrace:user_stack: the addresses, innermost first, up to the first 0. */
  stack?: bigint[];
}

/** Which events readEvents() yields. */
export interface ReadEventsOptions {
  /** Event names: `name`, `system:name` or `system` (every event of that system). Default: all. */
  events?: readonly string[];
  /** CPUs to include. Default: all. */
  cpus?: readonly number[];
  /** Only events with fromTs <= ts <= toTs (inclusive bounds). */
  fromTs?: bigint;
  toTs?: bigint;
  /** Buffer instance name; "" (default) is the top buffer. */
  buffer?: string;
}

type FieldGetter = [name: string, get: (rec: RawRecord) => FieldValue];

/** Reads the `caller` array of a stack event to the end of the record (kernel_stack: `size` entries). */
function stackReader(ev: { name: string; fields: readonly FieldDef[] }, le: boolean): ((rec: RawRecord) => bigint[]) | undefined {
  const caller = ev.fields.find((f) => f.name === "caller");
  if (caller === undefined || caller.elementSize !== 8) return undefined;
  const sizeField = ev.name === "kernel_stack" ? ev.fields.find((f) => f.name === "size" && f.size === 4) : undefined;
  return (rec) => {
    let n = Math.floor((rec.len - caller.offset) / 8);
    if (sizeField !== undefined) n = Math.min(n, rec.view.getInt32(rec.pos + sizeField.offset, le));
    const out: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const at = rec.pos + caller.offset + i * 8;
      const lo = rec.view.getUint32(at + (le ? 0 : 4), le);
      const hi = rec.view.getUint32(at + (le ? 4 : 0), le);
      if (lo === 0 && hi === 0) break;
      out.push((BigInt(hi) << 32n) | BigInt(lo));
    }
    return out;
  };
}

function fieldGetter(field: FieldDef, trace: TraceFile): FieldGetter["1"] | undefined {
  const info = trace.events.info;
  if (field.isString || (field.isDynamic && field.elementSize === 1 && /char/.test(field.type))) {
    return fieldStringReader(field, info);
  }
  if (field.arrayLen >= 0 || field.isDynamic) return undefined;
  if (field.size === 8) {
    if (!field.signed) return fieldBigIntReader(field, info);
    const big = fieldBigIntReader(field, info);
    return (rec) => BigInt.asIntN(64, big(rec));
  }
  return field.signed ? fieldSignedReader(field, info) : fieldNumberReader(field, info);
}

function selectIds(trace: TraceFile, names: readonly string[] | undefined): Set<number> | undefined {
  if (names === undefined) return undefined;
  const ids = new Set<number>();
  for (const ev of trace.events.all()) {
    for (const n of names) {
      if (n === ev.name || n === ev.system || n === ev.system + ":" + ev.name) ids.add(ev.id);
    }
  }
  return ids;
}

/**
 * Yields the events of one buffer of `trace` in timestamp order, with decoded fields.
 * @example
 * const trace = await openTrace("trace.dat");
 * for await (const ev of readEvents(trace, { events: ["sched:sched_switch"], cpus: [0] })) {
 *   console.log(ev.ts, ev.comm, ev.fields["next_comm"]);
 * }
 */
export async function* readEvents(trace: TraceFile, options: ReadEventsOptions = {}): AsyncGenerator<TraceEvent> {
  const b = trace.buffers.findIndex((x) => x.name === (options.buffer ?? ""));
  if (b < 0) return;
  const cpuSet = options.cpus === undefined ? undefined : new Set(options.cpus);
  const cpus = trace.buffers[b]!.cpus.filter((c) => cpuSet === undefined || cpuSet.has(c.cpu)).sort((x, y) => x.cpu - y.cpu);
  const merge = await StreamMerge.open(cpus.map((c) => trace.cpuStream(b, c.cpu)));
  const ids = selectIds(trace, options.events);
  const from = options.fromTs === undefined ? -Infinity : Number(options.fromTs);
  const to = options.toTs === undefined ? Infinity : Number(options.toTs);
  const getters: (FieldGetter[] | undefined)[] = [];
  const stackReaders: (((rec: RawRecord) => bigint[]) | null | undefined)[] = [];
  const line = new LineFormatter(trace, { latency: false, raw: false, timestamps: "nsec" });
  for (;;) {
    const i = merge.pick();
    if (i < 0) return;
    const rec = merge.streams[i]!.record;
    if (rec.ts > to) return;
    const ev = rec.ts >= from ? line.eventOf(rec) : undefined;
    if (ev !== undefined && (ids === undefined || ids.has(ev.id))) {
      let g = getters[ev.id];
      if (g === undefined) {
        g = [];
        for (const f of ev.fields) {
          const get = fieldGetter(f, trace);
          if (get) g.push([f.name, get]);
        }
        getters[ev.id] = g;
      }
      const fields: Record<string, FieldValue> = {};
      for (const [name, get] of g) fields[name] = get(rec);
      const pid = line.pid(rec) | 0;
      const event: TraceEvent = {
        ts: BigInt(rec.ts),
        cpu: rec.cpu,
        pid,
        comm: trace.tasks.comm(pid),
        system: ev.system,
        name: ev.name,
        fields,
      };
      if (ev.system === "ftrace" && (ev.name === "kernel_stack" || ev.name === "user_stack")) {
        let read = stackReaders[ev.id];
        if (read === undefined) stackReaders[ev.id] = read = stackReader(ev, trace.littleEndian) ?? null;
        if (read !== null) event.stack = read(rec);
      }
      // The cursor moves on below; everything the caller gets was copied above.
      yield event;
    }
    await merge.advance(i);
  }
}

/**
 * Formats records of one trace as `trace-cmd report` lines (without the function_graph look-ahead,
 * which needs the following records; funcgraph events print by their print fmt).
 */
export class EventLineFormatter {
  private readonly line: LineFormatter;

  private readonly printer: EventPrinter;

  /** `printer` defaults to one with the default plugins over the trace's symbols and task names. */
  constructor(
    trace: TraceFile,
    options: { nsTimestamps?: boolean; latency?: boolean; raw?: boolean; printer?: EventPrinter } = {},
  ) {
    this.printer =
      options.printer ??
      new EventPrinter(trace.events, { kallsyms: trace.kallsymsTable, printk: trace.printk, tasks: trace.tasks }, { plugins: true });
    this.line = new LineFormatter(trace, {
      latency: options.latency === true,
      raw: options.raw === true,
      timestamps: fileTimestampStyle(trace, options),
    });
    this.raw = options.raw === true;
  }

  private readonly raw: boolean;

  /** The report line for `rec`, without its final newline. */
  format(rec: RawRecord): string {
    const event = this.printer.eventOf(rec);
    const line = this.line;
    if (event === undefined) return line.unknownColumns(rec) + line.nameColumn(undefined) + "[UNKNOWN EVENT]";
    const text = this.raw ? this.printer.rawText(rec) : this.printer.text(rec);
    return line.taskColumns(rec) + line.timestamps.column(rec.ts) + line.nameColumn(event) + trimEventText(text);
  }
}
