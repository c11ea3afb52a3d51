// Query results as text: an aligned table (psql-like), CSV (RFC 4180) or JSON (an array of row objects).
import type { QueryResult } from "./trace-database.js";

function cell(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "object") return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
  return String(v);
}

/** Columns padded to their widest value, numbers right-aligned, with a header rule and a row count. */
export function formatTable(r: QueryResult): string {
  const cells = r.rows.map((row) => row.map(cell));
  const widths = r.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = r.rows.length > 0 ? r.rows[0]!.map((v) => typeof v === "number" || typeof v === "bigint") : r.columns.map(() => false);
  const line = (vals: string[], header: boolean): string =>
    vals.map((v, i) => (!header && numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(" | ").trimEnd();
  const out = [line(r.columns, true), widths.map((w) => "-".repeat(w)).join("-+-")];
  for (const row of cells) out.push(line(row, false));
  out.push(`(${r.rows.length} row${r.rows.length === 1 ? "" : "s"})`);
  return out.join("\n") + "\n";
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** CSV with a header line; NULL is an empty field. */
export function formatCsv(r: QueryResult): string {
  const lines = [r.columns.map(csvField).join(",")];
  for (const row of r.rows) lines.push(row.map((v) => (v === null || v === undefined ? "" : csvField(cell(v)))).join(","));
  return lines.join("\n") + "\n";
}

/** A JSON array of row objects; 64-bit integers beyond 2^53 are strings. */
export function formatJson(r: QueryResult): string {
  const objs = r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null])));
  return (
    JSON.stringify(objs, (_k, x: unknown) => (typeof x === "bigint" ? (x <= 9007199254740991n && x >= -9007199254740991n ? Number(x) : x.toString()) : x), 0) + "\n"
  );
}
