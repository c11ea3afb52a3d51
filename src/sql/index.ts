// SQL over traces: the model and every event as DuckDB tables (Perfetto's names), and Parquet export.
// DuckDB itself is imported on first use only (duckdb.ts).
export { TraceDatabase, SqlError, type TraceDatabaseOptions, type QueryResult } from "./trace-database.js";
export { formatTable, formatCsv, formatJson } from "./result-format.js";
export { exportParquet, type ParquetResult } from "./parquet.js";
export { HEAVY_TABLES } from "./trace-loader.js";
