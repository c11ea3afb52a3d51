// TraceDatabase: one or more traces loaded into an in-memory DuckDB, each in its own schema (trace_1, ...),
// with views in the main schema that union them and add a `trace` column naming the file: the model's
// tables, one `system__event` table per event type, and `ftrace_event` (every event, fields as JSON args).
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { FtkError } from "../base/index.js";
import { openTrace } from "../tracedat/index.js";
import { loadDuckDb } from "./duckdb.js";
import { MODEL_TABLES, ident, literal, loadTrace, type LoadedEventTable } from "./trace-loader.js";

/** Options of TraceDatabase.open(). */
export interface TraceDatabaseOptions {
  /** Report's warnings (bad pages and the like); default stderr. */
  onWarning?: (message: string) => void;
  /** Records read so far in the file `path`, and the fraction of its data read (0..1). */
  onProgress?: (records: number, fraction: number, path: string) => void;
  signal?: AbortSignal;
  /** Model tables to leave empty because the queries will not read them (of sched_slice, thread_state, slice). */
  skipTables?: readonly string[];
}

/** A query's result: column names and rows (bigints for 64-bit integers, null for NULL). */
export interface QueryResult {
  columns: string[];
  types: string[];
  rows: unknown[][];
}

/** An error from DuckDB (syntax, unknown table): its message is DuckDB's first line. */
export class SqlError extends FtkError {}

/** Traces loaded into DuckDB; query() runs SQL over the tables; close() when done. */
export class TraceDatabase {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** Records read per input, in order. */
    readonly records: number[],
  ) {}

  /**
   * Loads `paths` (trace.dat files) into a new in-memory database.
   * @example
   * const db = await TraceDatabase.open(["trace.dat"]);
   * console.log((await db.query("select count(*) from ftrace_event")).rows);
   * db.close();
   */
  static async open(paths: readonly string[], options: TraceDatabaseOptions = {}): Promise<TraceDatabase> {
    const duckdb = await loadDuckDb();
    const instance = await duckdb.DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    const events: { schema: string; path: string; tables: LoadedEventTable[] }[] = [];
    const records: number[] = [];
    try {
      for (let i = 0; i < paths.length; i++) {
        const path = paths[i]!;
        const trace = await openTrace(path, options.onWarning !== undefined ? { onWarning: options.onWarning } : {});
        try {
          const schema = `trace_${i + 1}`;
          const onProgress = options.onProgress;
          const r = await loadTrace(conn, trace, schema, {
            ...(onProgress !== undefined ? { onProgress: (n: number, f: number) => onProgress(n, f, path) } : {}),
            ...(options.signal !== undefined ? { signal: options.signal } : {}),
            skip: new Set(options.skipTables ?? []),
          });
          if (r.unknownEvents > 0) options.onWarning?.(`'${path}': ${r.unknownEvents} records of unknown event ids are not in the tables`);
          events.push({ schema, path, tables: r.events });
          records.push(r.records);
        } finally {
          await trace.close();
        }
      }
      await makeViews(conn, events);
    } catch (e) {
      conn.closeSync();
      instance.closeSync();
      throw e;
    }
    return new TraceDatabase(instance, conn, records);
  }

  /** Runs one or more SQL statements and returns the last one's result; DuckDB errors become SqlError. */
  async query(sql: string): Promise<QueryResult> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return { columns: reader.columnNames(), types: reader.columnTypes().map((t) => t.toString()), rows: reader.getRowsJS() as unknown[][] };
    } catch (e) {
      // DuckDB's first line says what is wrong; the following ones repeat the query with a caret.
      const msg = (e instanceof Error ? e.message : String(e)).split("\n").find((l) => l.trim() !== "") ?? "query failed";
      throw new SqlError(msg, { code: "sql", cause: e });
    }
  }

  /** The tables and views of the main schema with their columns, by name. */
  async tables(): Promise<{ table: string; columns: { name: string; type: string }[] }[]> {
    const r = await this.query(
      "select table_name, column_name, data_type from information_schema.columns where table_schema = 'main' order by table_name, ordinal_position",
    );
    const out = new Map<string, { name: string; type: string }[]>();
    for (const [t, c, ty] of r.rows as string[][]) {
      let cols = out.get(t!);
      if (cols === undefined) out.set(t!, (cols = []));
      cols.push({ name: c!, type: ty! });
    }
    return [...out].map(([table, columns]) => ({ table, columns }));
  }

  /** Closes the database. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** The main-schema views over every loaded schema. */
async function makeViews(conn: DuckDBConnection, loaded: { schema: string; path: string; tables: LoadedEventTable[] }[]): Promise<void> {
  for (const name of Object.keys(MODEL_TABLES)) {
    const parts = loaded.map((l) => `SELECT *, ${literal(l.path)} AS trace FROM ${ident(l.schema)}.${ident(name)}`);
    await conn.run(`CREATE VIEW ${ident(name)} AS ${parts.join(" UNION ALL ")}`);
  }
  const byTable = new Map<string, { schema: string; path: string }[]>();
  const eventParts: string[] = [];
  for (const l of loaded) {
    for (const t of l.tables) {
      let list = byTable.get(t.table);
      if (list === undefined) byTable.set(t.table, (list = []));
      list.push(l);
      const args = t.fields.length === 0 ? "'{}'::JSON" : `json_object(${t.fields.map((f) => `${literal(f)}, ${ident(f)}`).join(", ")})`;
      eventParts.push(
        `SELECT ts, cpu, utid, ${literal(t.name)} AS name, ${literal(t.system)} AS system, ${args} AS args, ${literal(l.path)} AS trace FROM ${ident(l.schema)}.${ident(t.table)}`,
      );
    }
  }
  for (const [table, list] of byTable) {
    const parts = list.map((l) => `SELECT *, ${literal(l.path)} AS trace FROM ${ident(l.schema)}.${ident(table)}`);
    await conn.run(`CREATE VIEW ${ident(table)} AS ${parts.join(" UNION ALL BY NAME ")}`);
  }
  if (eventParts.length === 0) {
    eventParts.push("SELECT NULL::BIGINT AS ts, NULL::INTEGER AS cpu, NULL::INTEGER AS utid, NULL::VARCHAR AS name, NULL::VARCHAR AS system, NULL::JSON AS args, NULL::VARCHAR AS trace WHERE false");
  }
  await conn.run(`CREATE VIEW ftrace_event AS ${eventParts.join(" UNION ALL ")}`);
}
