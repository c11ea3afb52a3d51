// Ftrace events as Perfetto FtraceEvent payloads: a table of the typed messages we write (field numbers
// from Perfetto's published ftrace_event.proto and the per-event protos, as facts), and
// GenericFtraceEvent for every other event. An event is typed only when each of its kernel fields has a
// place in the typed message with the same kind; otherwise it goes out generic, so no field is dropped.
import { fieldStringReader, type EventFormat, type FieldDef, type FileInfo } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import { arrayFieldText } from "./event-args.js";
import type { ProtoWriter } from "./proto-writer.js";

/** "s" string, "i" integer, "a" repeated integer (a fixed-size kernel array). */
type Kind = "s" | "i" | "a";

/** [system, event, FtraceEvent oneof field number, { kernel field: [proto field number, kind] }]. */
type TypedSpec = [system: string, name: string, oneof: number, fields: Record<string, [number, Kind]>];

const WAKEUP: Record<string, [number, Kind]> = { comm: [1, "s"], pid: [2, "i"], prio: [3, "i"], success: [4, "i"], target_cpu: [5, "i"] };

const TYPED: TypedSpec[] = [
  ["ftrace", "print", 3, { ip: [1, "i"], buf: [2, "s"] }],
  ["sched", "sched_switch", 4, { prev_comm: [1, "s"], prev_pid: [2, "i"], prev_prio: [3, "i"], prev_state: [4, "i"], next_comm: [5, "s"], next_pid: [6, "i"], next_prio: [7, "i"] }],
  ["power", "cpu_frequency", 11, { state: [1, "i"], cpu_id: [2, "i"] }],
  ["power", "cpu_idle", 13, { state: [1, "i"], cpu_id: [2, "i"] }],
  ["sched", "sched_wakeup", 17, WAKEUP],
  ["sched", "sched_waking", 20, WAKEUP],
  ["sched", "sched_wakeup_new", 114, WAKEUP],
  ["irq", "softirq_entry", 24, { vec: [1, "i"] }],
  ["irq", "softirq_exit", 25, { vec: [1, "i"] }],
  ["irq", "softirq_raise", 26, { vec: [1, "i"] }],
  ["irq", "irq_handler_entry", 36, { irq: [1, "i"], name: [2, "s"], handler: [3, "i"] }],
  ["irq", "irq_handler_exit", 37, { irq: [1, "i"], ret: [2, "i"] }],
  ["workqueue", "workqueue_activate_work", 56, { work: [1, "i"], function: [2, "i"] }],
  ["workqueue", "workqueue_execute_end", 57, { work: [1, "i"], function: [2, "i"] }],
  ["workqueue", "workqueue_execute_start", 58, { work: [1, "i"], function: [2, "i"] }],
  ["workqueue", "workqueue_queue_work", 59, { work: [1, "i"], function: [2, "i"], req_cpu: [4, "i"], cpu: [5, "i"], workqueue: [6, "s"] }],
  ["task", "task_newtask", 235, { pid: [1, "i"], comm: [2, "s"], clone_flags: [3, "i"], oom_score_adj: [4, "i"] }],
  ["task", "task_rename", 236, { pid: [1, "i"], oldcomm: [2, "s"], newcomm: [3, "s"], oom_score_adj: [4, "i"] }],
  ["sched", "sched_process_exec", 237, { filename: [1, "s"], pid: [2, "i"], old_pid: [3, "i"] }],
  ["sched", "sched_process_exit", 238, { comm: [1, "s"], pid: [2, "i"], tgid: [3, "i"], prio: [4, "i"] }],
  ["sched", "sched_process_fork", 239, { parent_comm: [1, "s"], parent_pid: [2, "i"], child_comm: [3, "s"], child_pid: [4, "i"] }],
  ["sched", "sched_process_free", 240, { comm: [1, "s"], pid: [2, "i"], prio: [3, "i"] }],
  ["raw_syscalls", "sys_enter", 329, { id: [1, "i"], args: [2, "a"] }],
  ["raw_syscalls", "sys_exit", 330, { id: [1, "i"], ret: [2, "i"] }],
  ["ftrace", "funcgraph_entry", 437, { depth: [1, "i"], func: [2, "i"] }],
  ["ftrace", "funcgraph_exit", 438, { calltime: [1, "i"], depth: [2, "i"], func: [3, "i"], overrun: [4, "i"], rettime: [5, "i"] }],
];

/** FtraceEvent.generic and GenericFtraceEvent / its Field numbers. */
const GENERIC = 327;
const GENERIC_EVENT_NAME = 1;
const GENERIC_FIELD = 2;
const FIELD_NAME = 1;
const FIELD_STR = 3;
const FIELD_INT = 4;
const FIELD_UINT = 5;

/** Writes one event's payload (the oneof field of FtraceEvent) for a record. */
export type PayloadWriter = (rec: RawRecord, w: ProtoWriter) => void;

function fieldKind(f: FieldDef): Kind | undefined {
  if (f.isString || ((f.isDynamic || f.arrayLen >= 0 || f.size === 0) && f.elementSize <= 1 && /char/.test(f.type))) return "s";
  if (f.isDynamic || f.arrayLen === 0) return undefined;
  if (f.arrayLen > 0) return "a";
  return "i";
}

/** Reads an integer field as 64-bit halves into out[0] (lo) and out[1] (hi), sign-extended when signed. */
function halvesReader(off: number, size: number, signed: boolean, le: boolean): (rec: RawRecord, out: Uint32Array) => boolean {
  return (rec, out) => {
    if (off + size > rec.len) return false;
    const v = rec.view;
    const at = rec.pos + off;
    let lo: number;
    let hi = 0;
    switch (size) {
      case 1:
        lo = signed ? v.getInt8(at) : v.getUint8(at);
        break;
      case 2:
        lo = signed ? v.getInt16(at, le) : v.getUint16(at, le);
        break;
      case 4:
        lo = signed ? v.getInt32(at, le) : v.getUint32(at, le);
        break;
      case 8:
        out[0] = v.getUint32(le ? at : at + 4, le);
        out[1] = v.getUint32(le ? at + 4 : at, le);
        return true;
      default:
        lo = 0;
        for (let i = 0; i < size && i < 4; i++) lo += v.getUint8(le ? at + i : at + size - 1 - i) * 2 ** (8 * i);
    }
    if (lo < 0) hi = 0xffffffff;
    out[0] = lo >>> 0;
    out[1] = hi;
    return true;
  };
}

/** Writes the value of one kernel field as proto field `pf` (strings as strings, integers as varints). */
function fieldWriter(f: FieldDef, kind: Kind, pf: number, info: FileInfo): PayloadWriter {
  if (kind === "s") {
    const read = fieldStringReader(f, info);
    return (rec, w) => w.string(pf, read(rec));
  }
  const le = info.littleEndian;
  const halves = new Uint32Array(2);
  if (kind === "a") {
    const n = f.arrayLen;
    const size = f.elementSize > 0 ? f.elementSize : f.size / n;
    const readers = Array.from({ length: n }, (_, k) => halvesReader(f.offset + k * size, size, f.signed, le));
    return (rec, w) => {
      for (const r of readers) if (r(rec, halves)) w.int64(pf, halves[0]!, halves[1]!);
    };
  }
  const r = halvesReader(f.offset, f.size, f.signed, le);
  return (rec, w) => {
    if (r(rec, halves)) w.int64(pf, halves[0]!, halves[1]!);
  };
}

/** The typed payload writer of `ev`, or undefined when Perfetto has no typed message that holds all its fields. */
function typedWriter(ev: EventFormat, info: FileInfo): PayloadWriter | undefined {
  const spec = TYPED.find(([system, name]) => system === ev.system && name === ev.name);
  if (spec === undefined) return undefined;
  const [, , oneof, map] = spec;
  const writers: PayloadWriter[] = [];
  for (const f of ev.fields) {
    const m = map[f.name];
    const kind = fieldKind(f);
    if (m === undefined || kind !== m[1]) return undefined;
    writers.push(fieldWriter(f, kind, m[0], info));
  }
  return (rec, w) => {
    w.begin(oneof);
    for (const write of writers) write(rec, w);
    w.end();
  };
}

/** GenericFtraceEvent: the event name and every field, strings as str_value, integers as int/uint_value. */
function genericWriter(ev: EventFormat, info: FileInfo): PayloadWriter {
  const writers: PayloadWriter[] = [];
  for (const f of ev.fields) {
    const kind = fieldKind(f);
    const name = f.name;
    let value: PayloadWriter;
    if (kind === "s" || kind === "i") value = fieldWriter(f, kind, kind === "s" ? FIELD_STR : f.signed ? FIELD_INT : FIELD_UINT, info);
    else value = arrayTextWriter(f, info);
    writers.push((rec, w) => {
      w.begin(GENERIC_FIELD);
      w.string(FIELD_NAME, name);
      value(rec, w);
      w.end();
    });
  }
  const eventName = ev.name;
  return (rec, w) => {
    w.begin(GENERIC);
    w.string(GENERIC_EVENT_NAME, eventName);
    for (const write of writers) write(rec, w);
    w.end();
  };
}

/** A non-char array (fixed or __data_loc) as str_value "[a,b,...]" of its unsigned elements. */
function arrayTextWriter(f: FieldDef, info: FileInfo): PayloadWriter {
  const text = arrayFieldText(f, info.littleEndian);
  return (rec, w) => w.string(FIELD_STR, text(rec));
}

/** Payload writers by event id, compiled on first use; counts which events went out typed or generic. */
export class PerfettoPayloads {
  private readonly writers: (PayloadWriter | undefined)[] = [];
  /** Event names written as GenericFtraceEvent. */
  readonly genericNames = new Set<string>();

  constructor(private readonly info: FileInfo) {}

  /** The writer for `ev`. */
  writerOf(ev: EventFormat): PayloadWriter {
    let w = this.writers[ev.id];
    if (w === undefined) {
      w = typedWriter(ev, this.info);
      if (w === undefined) {
        w = genericWriter(ev, this.info);
        this.genericNames.add(`${ev.system}:${ev.name}`);
      }
      this.writers[ev.id] = w;
    }
    return w;
  }
}
