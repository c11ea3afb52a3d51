// Loads one trace into DuckDB tables of one schema, in one streaming walk of the model: the model's tables
// (thread, process, sched_slice, thread_state, slice, counter) and one typed table per event type
// (`system__event`: ts, cpu, utid, then the event's fields). Rows go in through DuckDB appenders; an event
// type's table is made at the first batch boundary after its first event (its rows wait until then).
import type { DuckDBConnection } from "@duckdb/node-api";
import { fieldNumberReader, fieldSignedReader, fieldStringReader, type EventFormat, type FieldDef } from "../events/index.js";
import { arrayFieldText } from "../export/index.js";
import { walkModel } from "../model/index.js";
import { createRawRecord, type RawRecord } from "../ringbuf/index.js";
import { COLUMN_SQL, ColumnBatch, type ColumnKind } from "./column-batch.js";
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
export const MODEL_TABLES: Record<string, [name: string, kind: ColumnKind][]> = {
  thread: [["utid", "i32"], ["tid", "i32"], ["name", "str"], ["upid", "i32"]],
  process: [["upid", "i32"], ["pid", "i32"], ["name", "str"]],
  sched_slice: [["ts", "i64"], ["dur", "i64"], ["cpu", "i32"], ["utid", "i32"], ["end_state", "str"], ["priority", "i32"]],
  thread_state: [["ts", "i64"], ["dur", "i64"], ["utid", "i32"], ["state", "str"], ["cpu", "i32"]],
  slice: [["ts", "i64"], ["dur", "i64"], ["depth", "i32"], ["name", "str"], ["category", "str"], ["utid", "i32"]],
  counter: [["ts", "i64"], ["name", "str"], ["cpu", "i32"], ["value", "f64"]],
};

/** The model tables that cost the most to fill; a caller may leave them empty when a query does not use them. */
export const HEAVY_TABLES = ["sched_slice", "thread_state", "slice"] as const;

/** Columns every typed event table starts with. */
const EVENT_COLUMNS = ["ts", "cpu", "utid"];

/** Writes one field of a record into column `col` of the current row. */
type ColumnWriter = (rec: RawRecord, b: ColumnBatch, col: number) => void;

/** One event type's table: its column kinds and writers, and its batch once the table exists. */
interface EventTableState {
  event: EventFormat;
  table: string;
  names: string[];
  kinds: ColumnKind[];
  writers: ColumnWriter[];
  batch: ColumnBatch | undefined;
  /** Records of this event seen before its table existed (their rows are written when it is made). */
  waiting: { buf: Uint8Array; pos: number; len: number; ts: number; cpu: number; utid: number }[];
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

/** The column kind and writer of one field. */
function columnOf(f: FieldDef, trace: TraceFile): [ColumnKind, ColumnWriter] {
  const info = trace.events.info;
  const le = info.littleEndian;
  if (f.isString || ((f.isDynamic || f.arrayLen >= 0 || f.size === 0) && f.elementSize <= 1 && /char/.test(f.type))) {
    const read = fieldStringReader(f, info);
    return ["str", (rec, b, col) => b.setString(col, read(rec))];
  }
  if (f.isDynamic || f.arrayLen >= 0) {
    const text = arrayFieldText(f, le);
    return ["str", (rec, b, col) => b.setString(col, text(rec))];
  }
  const off = f.offset;
  if (f.size === 8) {
    const loAt = le ? off : off + 4;
    const hiAt = le ? off + 4 : off;
    return [
      f.signed ? "i64" : "u64",
      (rec, b, col) => {
        if (off + 8 > rec.len) b.setHalves(col, 0, 0);
        else b.setHalves(col, rec.view.getUint32(rec.pos + loAt, le), rec.view.getUint32(rec.pos + hiAt, le));
      },
    ];
  }
  if (f.signed) {
    const read = fieldSignedReader(f, info);
    return ["i32", (rec, b, col) => b.setInt(col, read(rec))];
  }
  const read = fieldNumberReader(f, info);
  if (f.size < 4) return ["i32", (rec, b, col) => b.setInt(col, read(rec))];
  return ["i64", (rec, b, col) => b.setNumber(col, read(rec))];
}

/** Options of loadTrace(). */
export interface LoadTraceOptions {
  onProgress?: (records: number, fraction: number) => void;
  signal?: AbortSignal;
  /** Model tables to leave empty (of HEAVY_TABLES). */
  skip?: ReadonlySet<string>;
}

/**
 * Loads `trace` into schema `schema` of the connection (made here). Memory holds per-table chunks and the
 * records of event types whose table is not made yet (at most one page batch), never the whole trace.
 */
export async function loadTrace(conn: DuckDBConnection, trace: TraceFile, schema: string, options: LoadTraceOptions = {}): Promise<LoadResult> {
  const s = ident(schema);
  await conn.run(`CREATE SCHEMA ${s}`);
  const batches = new Map<string, ColumnBatch>();
  for (const [name, cols] of Object.entries(MODEL_TABLES)) {
    await conn.run(`CREATE TABLE ${s}.${ident(name)} (${cols.map(([c, k]) => `${ident(c)} ${COLUMN_SQL[k]}`).join(", ")})`);
    batches.set(name, await ColumnBatch.open(await conn.createAppender(name, schema), cols.map(([, k]) => k)));
  }
  const sched = batches.get("sched_slice")!;
  const states = batches.get("thread_state")!;
  const slices = batches.get("slice")!;
  const counters = batches.get("counter")!;
  const byId: (EventTableState | undefined)[] = [];
  const pending: EventTableState[] = [];
  const all: EventTableState[] = [];
  let unknownEvents = 0;

  const stateOf = (ev: EventFormat): EventTableState => {
    const names: string[] = [];
    const kinds: ColumnKind[] = [];
    const writers: ColumnWriter[] = [];
    for (const f of ev.fields) {
      const [kind, write] = columnOf(f, trace);
      // Fields named like the leading columns (sched_rq_runnable_ratio has a `cpu`) get an arg_ prefix.
      names.push(EVENT_COLUMNS.includes(f.name) ? "arg_" + f.name : f.name);
      kinds.push(kind);
      writers.push(write);
    }
    const st: EventTableState = { event: ev, table: `${ev.system}__${ev.name}`, names, kinds, writers, batch: undefined, waiting: [], rows: 0 };
    all.push(st);
    pending.push(st);
    return st;
  };

  const writeRow = (st: EventTableState, b: ColumnBatch, rec: RawRecord, utid: number): void => {
    b.setNumber(0, rec.ts);
    b.setInt(1, rec.cpu);
    b.setInt(2, utid);
    const w = st.writers;
    for (let k = 0; k < w.length; k++) w[k]!(rec, b, k + 3);
    b.endRow();
  };

  const makePending = async (): Promise<void> => {
    while (pending.length > 0) {
      const st = pending.shift()!;
      const cols = ["ts BIGINT", "cpu INTEGER", "utid INTEGER", ...st.names.map((n, k) => `${ident(n)} ${COLUMN_SQL[st.kinds[k]!]}`)];
      await conn.run(`CREATE TABLE ${s}.${ident(st.table)} (${cols.join(", ")})`);
      const b = await ColumnBatch.open(await conn.createAppender(st.table, schema), ["i64", "i32", "i32", ...st.kinds]);
      const rec = createRawRecord();
      for (const w of st.waiting) {
        rec.buf = w.buf;
        rec.view = new DataView(w.buf.buffer, w.buf.byteOffset, w.buf.byteLength);
        rec.pos = w.pos;
        rec.len = w.len;
        rec.ts = w.ts;
        rec.cpu = w.cpu;
        writeRow(st, b, rec, w.utid);
      }
      st.waiting = [];
      st.batch = b;
    }
  };

  const skip = options.skip ?? new Set<string>();
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
        if (st.batch !== undefined) writeRow(st, st.batch, rec, utid);
        else st.waiting.push({ buf: rec.buf.slice(rec.pos, rec.pos + rec.len), pos: 0, len: rec.len, ts: rec.ts, cpu: rec.cpu, utid });
      },
      ...(skip.has("sched_slice")
        ? {}
        : {
            schedSlice: (ts: number, dur: number, cpu: number, utid: number, endState: string | null, priority: number) => {
              sched.setNumber(0, ts);
              sched.setNumber(1, dur);
              sched.setInt(2, cpu);
              sched.setInt(3, utid);
              sched.setStringOrNull(4, endState);
              sched.setInt(5, priority);
              sched.endRow();
            },
          }),
      ...(skip.has("thread_state")
        ? {}
        : {
            threadState: (ts: number, dur: number, utid: number, state: string, cpu: number) => {
              states.setNumber(0, ts);
              states.setNumber(1, dur);
              states.setInt(2, utid);
              states.setString(3, state);
              states.setIntOrNull(4, cpu < 0 ? null : cpu);
              states.endRow();
            },
          }),
      ...(skip.has("slice")
        ? {}
        : {
            slice: (ts: number, dur: number, depth: number, name: string, category: string, utid: number) => {
              slices.setNumber(0, ts);
              slices.setNumber(1, dur);
              slices.setInt(2, depth);
              slices.setString(3, name);
              slices.setString(4, category);
              slices.setInt(5, utid);
              slices.endRow();
            },
          }),
      counter: (ts, name, cpu, value) => {
        counters.setNumber(0, ts);
        counters.setString(1, name);
        counters.setInt(2, cpu);
        counters.setDouble(3, value);
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
  const threads = batches.get("thread")!;
  for (const t of model.threads.threads) {
    threads.setInt(0, t.utid);
    threads.setInt(1, t.tid);
    threads.setStringOrNull(2, t.name ?? null);
    threads.setIntOrNull(3, t.upid ?? null);
    threads.endRow();
  }
  const procs = batches.get("process")!;
  for (const p of model.threads.processes) {
    procs.setInt(0, p.upid);
    procs.setInt(1, p.pid);
    procs.setStringOrNull(2, p.name ?? null);
    procs.endRow();
  }
  for (const b of batches.values()) b.close();
  for (const t of all) t.batch!.close();
  return {
    records: model.records,
    unknownEvents,
    events: all.map((t) => ({ table: t.table, system: t.event.system, name: t.event.name, fields: t.names, rows: t.rows })),
  };
}
