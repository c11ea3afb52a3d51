// Library access to decoded events without report text (issue "Read path" part 6): iterate a trace's
// events in time order with their field values, filtered by event, CPU and time; format one as a line.
import {
  fieldBigIntReader,
  fieldNumberReader,
  fieldSignedReader,
  fieldStringReader,
  isWordSize,
  readUnsignedBig,
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
  /** Fixed-size integer array fields (such as raw_syscalls' `args`), unsigned; only with `arrays: true`. */
  arrays?: Record<string, readonly bigint[]>;
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
  /** Also decode fixed-size integer arrays into `TraceEvent.arrays`. Default: false. */
  arrays?: boolean;
}

type FieldGetter = [name: string, get: (rec: RawRecord) => FieldValue];

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

type ArrayGetter = [name: string, get: (rec: RawRecord) => bigint[]];

function arrayGetter(field: FieldDef, trace: TraceFile): ArrayGetter["1"] | undefined {
  if (field.arrayLen <= 0 || field.isDynamic || field.isString || /char/.test(field.type)) return undefined;
  const n = field.arrayLen;
  const size = field.elementSize > 0 ? field.elementSize : field.size / n;
  if (!isWordSize(size) || size * n !== field.size) return undefined;
  const le = trace.events.info.littleEndian;
  const off = field.offset;
  return (rec) => {
    const out = new Array<bigint>(n);
    for (let k = 0; k < n; k++) {
      const at = off + k * size;
      out[k] = at + size <= rec.len ? readUnsignedBig(rec.view, rec.pos + at, size, le) : 0n;
    }
    return out;
  };
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
  const arrayGetters: (ArrayGetter[] | undefined)[] = [];
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
      if (options.arrays === true) {
        let a = arrayGetters[ev.id];
        if (a === undefined) {
          a = [];
          for (const f of ev.fields) {
            const get = arrayGetter(f, trace);
            if (get) a.push([f.name, get]);
          }
          arrayGetters[ev.id] = a;
        }
        if (a.length > 0) {
          const arrays: Record<string, readonly bigint[]> = {};
          for (const [name, get] of a) arrays[name] = get(rec);
          event.arrays = arrays;
        }
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
