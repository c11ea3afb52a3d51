// DuckDB is loaded here and only here, on first use (`ftk sql`, `ftk export --format parquet`), so other
// commands pay nothing for it in start-up time; it is an optional dependency (README "SQL").
import { FtkError } from "../base/index.js";

type DuckDbModule = typeof import("@duckdb/node-api");

let loaded: DuckDbModule | undefined;

/** The @duckdb/node-api module; throws an FtkError saying how to install it when it is missing. */
export async function loadDuckDb(): Promise<DuckDbModule> {
  if (loaded !== undefined) return loaded;
  try {
    loaded = await import("@duckdb/node-api");
    return loaded;
  } catch (e) {
    throw new FtkError("DuckDB is not installed (an optional dependency): run 'npm install @duckdb/node-api'", { code: "no-duckdb", cause: e });
  }
}
