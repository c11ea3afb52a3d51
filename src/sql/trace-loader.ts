// Loads one trace into DuckDB tables of one schema, in one streaming walk of the model: the model's tables
// (thread, process, sched_slice, thread_state, slice, counter) and one typed table per event type
// (`system__event`: ts, cpu, utid, then the event's fields). Rows go in through DuckDB appenders; an event
// type's table is made at the first batch boundary after its first event (its rows wait until then).
import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import type { EventFormat, FieldDef } from "../events/index.js";
import { walkModel } from "../model/index.js";
import { fieldValueReader } from "../report/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import type { TraceFile } from "../tracedat/index.js";

/** SQL identifier quoting. */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** SQL string literal. */
export function literal(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

/** The model's tables, with Perfetto's names and columns. */
export const MODEL_TABLES: Record<string, string> = {
  thread: "utid INTEGER, tid INTEGER, name VARCHAR, upid INTEGER",
  process: "upid INTEGER, pid INTEGER, name VARCHAR",
  sched_slice: "ts BIGINT, dur BIGINT, cpu INTEGER, utid INTEGER, end_state VARCHAR, priority INTEGER",
  thread_state: "ts BIGINT, dur BIGINT, utid INTEGER, state VARCHAR, cpu INTEGER",
  slice: "ts BIGINT, dur BIGINT, depth INTEGER, name VARCHAR, category VARCHAR, utid INTEGER",
  counter: "ts BIGINT, name VARCHAR, cpu INTEGER, value DOUBLE",
};

/** Columns every typed event table starts with. */
const EVENT_COLUMNS = ["ts", "cpu", "utid"];

type Kind = "string" | "number" | "i64" | "u64" | "array";

interface EventColumn {
  name: string;
  kind: Kind;
  read: (rec: RawRecord) => number | bigint | string;
}

/** One event type's table: its columns, appender, and rows waiting for the appender. */
interface EventTableState {
  event: EventFormat;
  table: string;
  columns: EventColumn[];
  appender: DuckDBAppender | undefined;
  /** Rows buffered before the table exists: ts, cpu, utid, then the field values, flat. */
  waiting: (number | bigint | string)[];
  rows: number;
}

/** One typed event table that a load made. */
export interface LoadedEventTable {
  table: string;
  system: string;
  name: string;
  /** Field columns (after ts, cpu, utid), as named in the table. */
  fields: string[];
  rows: number;
}

/** What loadTrace() made. */
export interface LoadResult {
  records: number;
  events: LoadedEventTable[];
  /** Records skipped: their event id is not in the file's formats. */
  unknownEvents: number;
}

function kindOf(f: FieldDef): Kind {
  if (f.isString || ((f.isDynamic || f.arrayLen >= 0) && f.elementSize === 1 && /char/.test(f.type))) return "string";
  if (f.isDynamic || f.arrayLen >= 0) return "array";
  if (f.size === 8) return f.signed ? "i64" : "u64";
  return "number";
}

const SQL_TYPE: Record<Kind, string> = { string: "VARCHAR", number: "BIGINT", i64: "BIGINT", u64: "UBIGINT", array: "VARCHAR" };

function arrayText(f: FieldDef, le: boolean): (rec: RawRecord) => string {
  const size = f.elementSize > 0 ? f.elementSize : 1;
  return (rec) => {
    let start = f.offset;
    let len = f.size;
    if (f.isDynamic && f.offset + 4 <= rec.len) {
      const loc = rec.view.getUint32(rec.pos + f.offset, le);
      start = (loc & 0xffff) + (f.isRelLoc ? f.offset + f.size : 0);
      len = loc >>> 16;
    }
    let s = "[";
    for (let at = start; at + size <= start + len && at + size <= rec.len; at += size) {
      let v = 0;
      for (let i = 0; i < size && i < 6; i++) v += rec.view.getUint8(rec.pos + (le ? at + i : at + size - 1 - i)) * 2 ** (8 * i);
      s += (s.length > 1 ? "," : "") + v;
    }
    return s + "]";
  };
}

function appendValue(a: DuckDBAppender, kind: Kind, v: number | bigint | string): void {
  switch (kind) {
    case "string":
    case "array":
      a.appendVarchar(v as string);
      return;
    case "number":
      a.appendDouble(v as number);
      return;
    case "i64":
      a.appendBigInt(v as bigint);
      return;
    case "u64":
      a.appendUBigInt(v as bigint);
  }
}

/**
 * Loads `trace` into schema `schema` of the connection (made here); `onProgress` gets records read.
 * Memory holds one batch of rows for event tables not yet made, never the whole trace.
 */
export async function loadTrace(
  conn: DuckDBConnection,
  trace: TraceFile,
  schema: string,
  options: { onProgress?: (records: number) => void; signal?: AbortSignal } = {},
): Promise<LoadResult> {
  const s = ident(schema);
  await conn.run(`CREATE SCHEMA ${s}`);
  for (const [name, cols] of Object.entries(MODEL_TABLES)) await conn.run(`CREATE TABLE ${s}.${ident(name)} (${cols})`);
  const app = async (name: string): Promise<DuckDBAppender> => conn.createAppender(name, schema);
  const sched = await app("sched_slice");
  const states = await app("thread_state");
  const slices = await app("slice");
  const counters = await app("counter");
  const le = trace.events.info.littleEndian;
  const byId: (EventTableState | undefined)[] = [];
  const pending: EventTableState[] = [];
  const all: EventTableState[] = [];
  let unknownEvents = 0;

  const stateOf = (ev: EventFormat): EventTableState => {
    const columns: EventColumn[] = [];
    for (const f of ev.fields) {
      const kind = kindOf(f);
      const read = kind === "array" ? arrayText(f, le) : fieldValueReader(f, trace);
      if (read === undefined) continue;
      // Fields named like the leading columns (sched_rq_runnable_ratio has a `cpu`) get an arg_ prefix.
      columns.push({ name: EVENT_COLUMNS.includes(f.name) ? "arg_" + f.name : f.name, kind, read });
    }
    const st: EventTableState = { event: ev, table: `${ev.system}__${ev.name}`, columns, appender: undefined, waiting: [], rows: 0 };
    all.push(st);
    pending.push(st);
    return st;
  };

  const makePending = async (): Promise<void> => {
    while (pending.length > 0) {
      const st = pending.shift()!;
      const cols = ["ts BIGINT", "cpu INTEGER", "utid INTEGER", ...st.columns.map((c) => `${ident(c.name)} ${SQL_TYPE[c.kind]}`)];
      await conn.run(`CREATE TABLE ${s}.${ident(st.table)} (${cols.join(", ")})`);
      const a = await app(st.table);
      const w = st.waiting;
      const width = 3 + st.columns.length;
      for (let i = 0; i < w.length; i += width) {
        a.appendDouble(w[i] as number);
        a.appendInteger(w[i + 1] as number);
        a.appendInteger(w[i + 2] as number);
        for (let k = 0; k < st.columns.length; k++) appendValue(a, st.columns[k]!.kind, w[i + 3 + k]!);
        a.endRow();
      }
      st.waiting = [];
      st.appender = a;
    }
  };

  const model = await walkModel(
    trace,
    {
      event: (rec, ev, utid) => {
        if (ev === undefined) {
          unknownEvents++;
          return;
        }
        const st = byId[ev.id] ?? (byId[ev.id] = stateOf(ev));
        st.rows++;
        const a = st.appender;
        const cols = st.columns;
        if (a === undefined) {
          st.waiting.push(rec.ts, rec.cpu, utid);
          for (let k = 0; k < cols.length; k++) st.waiting.push(cols[k]!.read(rec));
          return;
        }
        a.appendDouble(rec.ts);
        a.appendInteger(rec.cpu);
        a.appendInteger(utid);
        for (let k = 0; k < cols.length; k++) appendValue(a, cols[k]!.kind, cols[k]!.read(rec));
        a.endRow();
      },
      schedSlice: (ts, dur, cpu, utid, endState, priority) => {
        sched.appendDouble(ts);
        sched.appendDouble(dur);
        sched.appendInteger(cpu);
        sched.appendInteger(utid);
        if (endState === null) sched.appendNull();
        else sched.appendVarchar(endState);
        sched.appendInteger(priority);
        sched.endRow();
      },
      threadState: (ts, dur, utid, state, cpu) => {
        states.appendDouble(ts);
        states.appendDouble(dur);
        states.appendInteger(utid);
        states.appendVarchar(state);
        if (cpu < 0) states.appendNull();
        else states.appendInteger(cpu);
        states.endRow();
      },
      slice: (ts, dur, depth, name, category, utid) => {
        slices.appendDouble(ts);
        slices.appendDouble(dur);
        slices.appendInteger(depth);
        slices.appendVarchar(name);
        slices.appendVarchar(category);
        slices.appendInteger(utid);
        slices.endRow();
      },
      counter: (ts, name, cpu, value) => {
        counters.appendDouble(ts);
        counters.appendVarchar(name);
        counters.appendInteger(cpu);
        counters.appendDouble(value);
        counters.endRow();
      },
    },
    {
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      drain: makePending,
    },
  );
  await makePending();
  for (const a of [sched, states, slices, counters, ...all.map((t) => t.appender!)]) a.closeSync();
  const threads = await app("thread");
  for (const t of model.threads.threads) {
    threads.appendInteger(t.utid);
    threads.appendInteger(t.tid);
    if (t.name === undefined) threads.appendNull();
    else threads.appendVarchar(t.name);
    if (t.upid === undefined) threads.appendNull();
    else threads.appendInteger(t.upid);
    threads.endRow();
  }
  threads.closeSync();
  const procs = await app("process");
  for (const p of model.threads.processes) {
    procs.appendInteger(p.upid);
    procs.appendInteger(p.pid);
    if (p.name === undefined) procs.appendNull();
    else procs.appendVarchar(p.name);
    procs.endRow();
  }
  procs.closeSync();
  return {
    records: model.records,
    unknownEvents,
    events: all.map((t) => ({ table: t.table, system: t.event.system, name: t.event.name, fields: t.columns.map((c) => c.name), rows: t.rows })),
  };
}
