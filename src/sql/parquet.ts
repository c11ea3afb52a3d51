// exportParquet(): every table and view of a TraceDatabase as one Parquet file each, written by DuckDB's COPY.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { FtkError, describeErrno } from "../base/index.js";
import { literal } from "./trace-loader.js";
import { TraceDatabase, type TraceDatabaseOptions } from "./trace-database.js";

/** What exportParquet() wrote. */
export interface ParquetResult {
  /** Files written, one per table (`<table>.parquet`). */
  files: string[];
  /** Rows over all files. */
  rows: number;
}

/**
 * Loads `paths` and writes each table to `dir/<table>.parquet` (the directory is made if needed).
 * @example
 * await exportParquet(["trace.dat"], "out");
 */
export async function exportParquet(paths: readonly string[], dir: string, options: TraceDatabaseOptions = {}): Promise<ParquetResult> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new FtkError(`cannot write '${dir}': ${describeErrno(e)}`, { path: dir, cause: e });
  }
  const db = await TraceDatabase.open(paths, options);
  try {
    const files: string[] = [];
    let rows = 0;
    for (const { table } of await db.tables()) {
      const file = join(dir, `${table}.parquet`);
      const r = await db.query(`COPY (SELECT * FROM "${table}") TO ${literal(file)} (FORMAT parquet)`).catch((e: unknown) => {
        throw new FtkError(`cannot write '${file}': ${(e as Error).message}`, { path: file, cause: e });
      });
      void r;
      rows += Number((await db.query(`SELECT count(*) FROM "${table}"`)).rows[0]![0]);
      files.push(file);
    }
    return { files, rows };
  } finally {
    db.close();
  }
}
