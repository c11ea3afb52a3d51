// Library access to decoded events without report text (issue "Read path" part 6): iterate a trace's
// events in time order with their field values, filtered by event, CPU and time; format one as a line.
import {
  fieldBigIntReader,
  fieldNumberReader,
  fieldSignedReader,
  fieldStringReader,
  fieldDataLocator,
  isWordSize,
  readUnsignedBig,
  type EventFormat,
  type FieldDef,
  EventPrinter,
} from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import type { CpuStream, TraceFile } from "../tracedat/index.js";
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
  /** ftrace:kernel_stack and ftrace:user_stack: the addresses, innermost first, up to the first 0. */
  stack?: bigint[];
  /**
   * Dynamic string fields that hold no byte at all, not even a NUL: a probe's fetch that faulted (the
   * field reads as ""). Only with `faults: true`.
   */
  faulted?: string[];
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
  /** Also list the faulted dynamic strings in `TraceEvent.faulted`. Default: false. */
  faults?: boolean;
}

type FieldGetter = [name: string, get: (rec: RawRecord) => FieldValue];

/** @internal The value reader of one field (number, bigint or string), or undefined for non-char arrays; for model/. */
export function fieldValueReader(field: FieldDef, trace: TraceFile): FieldGetter["1"] | undefined {
  const info = trace.events.info;
  // A zero-size char field (`char buf;` in older ftrace:print formats) is a flexible string too.
  if (field.isString || ((field.isDynamic || field.size === 0) && field.elementSize <= 1 && /char/.test(field.type))) {
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

/** Which records an EventWalker visits: ReadEventsOptions, or every buffer with `allBuffers`. */
export interface EventWalkerOptions extends ReadEventsOptions {
  /** Every buffer (top first, then instances), merged as report merges them; overrides `buffer`. */
  allBuffers?: boolean;
}

/**
 * The one decoded-event iterator: a reusable cursor over a trace's records in report's merge order, with
 * each record's event format and pid; no object per record. readEvents() and the model build on it.
 * @example
 * const w = await EventWalker.open(trace);
 * for (let r = w.nextSync(); r !== false; r = w.nextSync()) {
 *   if (r === "need-io") { if (!(await w.next())) break; }
 *   console.log(w.record.ts, w.event?.name);
 * }
 */
export class EventWalker {
  /** The current record; valid until the next next()/nextSync(). */
  record: RawRecord = undefined as unknown as RawRecord;
  /** Its event format (undefined for an id the file does not describe). */
  event: EventFormat | undefined = undefined;
  /** Index in trace.buffers of the current record's buffer. */
  bufferIndex = 0;
  /** Records visited so far (whether or not the filters kept them). */
  seen = 0;
  private slot = -1;
  private readonly line: LineFormatter;
  private readonly from: number;
  private readonly to: number;

  private constructor(
    private readonly merge: StreamMerge,
    private readonly slotBuffer: readonly number[],
    /** Per slot: where its data starts in the file and how many bytes it has. */
    private readonly slotData: readonly { fileOffset: number; size: number }[],
    private readonly ids: Set<number> | undefined,
    trace: TraceFile,
    options: EventWalkerOptions,
  ) {
    this.line = new LineFormatter(trace, { latency: false, raw: false, timestamps: "nsec" });
    this.from = options.fromTs === undefined ? -Infinity : Number(options.fromTs);
    this.to = options.toTs === undefined ? Infinity : Number(options.toTs);
  }

  /** Opens the CPU streams that `options` selects and loads their first records. */
  static async open(trace: TraceFile, options: EventWalkerOptions = {}): Promise<EventWalker> {
    const cpuSet = options.cpus === undefined ? undefined : new Set(options.cpus);
    const streams: CpuStream[] = [];
    const slotBuffer: number[] = [];
    const slotData: { fileOffset: number; size: number }[] = [];
    trace.buffers.forEach((buffer, b) => {
      if (options.allBuffers !== true && buffer.name !== (options.buffer ?? "")) return;
      for (const c of [...buffer.cpus].sort((x, y) => x.cpu - y.cpu)) {
        if (cpuSet !== undefined && !cpuSet.has(c.cpu)) continue;
        streams.push(trace.cpuStream(b, c.cpu));
        slotBuffer.push(b);
        slotData.push({ fileOffset: c.fileOffset, size: c.size });
      }
    });
    const merge = await StreamMerge.open(streams);
    return new EventWalker(merge, slotBuffer, slotData, selectIds(trace, options.events), trace, options);
  }

  /** How much of the selected data has been read, 0..1 (by file bytes; compressed data counts as stored). */
  fractionRead(): number {
    let done = 0;
    let total = 0;
    this.slotData.forEach((d, i) => {
      const pos = this.merge.streams[i]!.fileOffset;
      total += d.size;
      done += pos === Infinity ? d.size : Math.min(d.size, Math.max(0, pos - d.fileOffset));
    });
    return total === 0 ? 1 : done / total;
  }

  /** common_pid of the current record. */
  pid(): number {
    return this.line.pid(this.record) | 0;
  }

  /** Moves to the next selected record without I/O: true, false at the end, or "need-io" (then await next()). */
  nextSync(): boolean | "need-io" {
    const merge = this.merge;
    for (;;) {
      if (this.slot >= 0) {
        if (!merge.advanceSync(this.slot)) return "need-io";
        this.slot = -1;
      }
      const i = merge.pick();
      if (i < 0) return false;
      const rec = merge.streams[i]!.record;
      if (rec.ts > this.to) return false;
      this.slot = i;
      this.seen++;
      if (rec.ts < this.from) continue;
      const ev = this.line.eventOf(rec);
      if (this.ids !== undefined && (ev === undefined || !this.ids.has(ev.id))) continue;
      this.record = rec;
      this.event = ev;
      this.bufferIndex = this.slotBuffer[i]!;
      return true;
    }
  }

  /** Moves to the next selected record, reading pages as needed; false at the end. */
  async next(): Promise<boolean> {
    for (;;) {
      const r = this.nextSync();
      if (r !== "need-io") return r;
      await this.merge.advance(this.slot);
      this.slot = -1;
    }
  }
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
  if (trace.buffers.findIndex((x) => x.name === (options.buffer ?? "")) < 0) return;
  const walker = await EventWalker.open(trace, options);
  const maker = new TraceEventMaker(trace, options);
  while (await walker.next()) {
    const ev = walker.event;
    // Everything the caller gets is copied here; the cursor moves on at the next call.
    if (ev !== undefined) yield maker.make(walker.record, ev, walker.pid());
  }
}

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

/** Makes TraceEvent objects from records, with field readers compiled once per event id. */
export class TraceEventMaker {
  private readonly getters: (FieldGetter[] | undefined)[] = [];
  private readonly arrayGetters: (ArrayGetter[] | undefined)[] = [];
  private readonly stackReaders: (((rec: RawRecord) => bigint[]) | null | undefined)[] = [];
  private readonly arrays: boolean;
  private readonly faults: boolean;
  private readonly locators: ([name: string, locate: (rec: RawRecord, out: Int32Array) => void][] | undefined)[] = [];
  private readonly loc = new Int32Array(2);

  /** `arrays`: also decode fixed-size integer arrays into `TraceEvent.arrays`; `faults`: fill `TraceEvent.faulted`. */
  constructor(private readonly trace: TraceFile, options: { arrays?: boolean; faults?: boolean } = {}) {
    this.arrays = options.arrays === true;
    this.faults = options.faults === true;
  }

  /** The event of `rec` (whose format is `ev` and common_pid `pid`) as a new object. */
  make(rec: RawRecord, ev: EventFormat, pid: number): TraceEvent {
    const trace = this.trace;
    let g = this.getters[ev.id];
    if (g === undefined) {
      g = [];
      for (const f of ev.fields) {
        const get = fieldValueReader(f, trace);
        if (get) g.push([f.name, get]);
      }
      this.getters[ev.id] = g;
    }
    const fields: Record<string, FieldValue> = {};
    for (const [name, get] of g) fields[name] = get(rec);
    const event: TraceEvent = { ts: BigInt(rec.ts), cpu: rec.cpu, pid, comm: trace.tasks.comm(pid), system: ev.system, name: ev.name, fields };
    if (this.arrays) {
      let a = this.arrayGetters[ev.id];
      if (a === undefined) {
        a = [];
        for (const f of ev.fields) {
          const get = arrayGetter(f, trace);
          if (get) a.push([f.name, get]);
        }
        this.arrayGetters[ev.id] = a;
      }
      if (a.length > 0) {
        const arrays: Record<string, readonly bigint[]> = {};
        for (const [name, get] of a) arrays[name] = get(rec);
        event.arrays = arrays;
      }
    }
    if (this.faults) {
      let l = this.locators[ev.id];
      if (l === undefined) {
        l = ev.fields.filter((f) => f.isDynamic && f.size === 4).map((f) => [f.name, fieldDataLocator(f, trace.events.info)]);
        this.locators[ev.id] = l;
      }
      for (const [name, locate] of l) {
        locate(rec, this.loc);
        if (this.loc[1] === 0) (event.faulted ??= []).push(name);
      }
    }
    if (ev.system === "ftrace" && (ev.name === "kernel_stack" || ev.name === "user_stack")) {
      let read = this.stackReaders[ev.id];
      if (read === undefined) this.stackReaders[ev.id] = read = stackReader(ev, trace.littleEndian) ?? null;
      if (read !== null) event.stack = read(rec);
    }
    return event;
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
