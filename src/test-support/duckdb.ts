// Test-only: whether the optional DuckDB package is installed (sql and parquet tests skip without it).
import { createRequire } from "node:module";

/** Skip reason for tests that need @duckdb/node-api, or false when it is installed. */
export function skipWithoutDuckdb(): string | false {
  try {
    createRequire(import.meta.url).resolve("@duckdb/node-api");
    return false;
  } catch {
    return "@duckdb/node-api is not installed (optional dependency)";
  }
}
