import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync, closeSync, chmodSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openTrace } from "../index.js";
import { skipWithoutDuckdb } from "../test-support/duckdb.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { runFtk } from "./report-test-helpers.js";

const skip = skipWithoutShared();
const tmp = mkdtempSync(join(tmpdir(), "ftk-export-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const fixture = (name: string): string => join(sharedDir()!, "fixtures", "tracedat", name);
const skipSql = skip || skipWithoutDuckdb();

/** Records in `ftk report -R` (one line each). */
async function reportRecords(path: string): Promise<number> {
  const r = await runFtk(["report", "-R", "-i", path]);
  return r.stdout.split("\n").filter((l) => /\[\d+\]\s+\d+\.\d+: /.test(l)).length;
}

test("ftk export --format chrome-json: it parses, complete events nest per thread, one instant per record", { skip }, async () => {
  const path = fixture("lab-v7-zstd-x86_64-2cpu-funcgraph-proc.dat");
  const out = join(tmp, "fg.json");
  const r = await runFtk(["export", "-i", path, "--format", "chrome-json", "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(readFileSync(out, "utf8")) as { traceEvents: { ph: string; ts: number; dur?: number; pid: number; tid: number; cat?: string; name: string }[] };
  const ev = doc.traceEvents;
  assert.equal(ev.filter((e) => e.ph === "i").length, await reportRecords(path));
  const calls = ev.filter((e) => e.ph === "X" && e.cat === "funcgraph");
  assert.ok(calls.length > 500);
  const byThread = new Map<string, typeof calls>();
  for (const c of calls) {
    const k = `${c.pid}/${c.tid}`;
    byThread.set(k, [...(byThread.get(k) ?? []), c]);
  }
  // Complete events of one thread either nest or do not overlap (ns precision: 1e-3 µs).
  for (const [k, list] of byThread) {
    list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const stack: number[] = [];
    for (const c of list) {
      while (stack.length > 0 && c.ts >= stack[stack.length - 1]! - 1e-6) stack.pop();
      if (stack.length > 0) assert.ok(c.ts + c.dur! <= stack[stack.length - 1]! + 1e-3, `${k}: ${c.name} at ${c.ts} crosses its parent's end`);
      stack.push(c.ts + c.dur!);
    }
  }
  assert.ok(ev.some((e) => e.ph === "M" && e.name === "thread_name"));
});

test("ftk export --format csv / jsonl: one ftrace_event row per record", { skip }, async () => {
  const path = fixture("v6-arm32-8cpu-thermal-power.dat");
  const records = await reportRecords(path);
  const csv = await runFtk(["export", "-i", path, "--format", "csv"]);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "ts,cpu,utid,name,system,args");
  assert.equal(lines.length - 1, records);
  const jsonl = await runFtk(["export", "-i", path, "--format", "jsonl", "-o", "-"]);
  const rows = jsonl.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { name: string; args: Record<string, unknown> });
  assert.equal(rows.length, records);
  const t = rows.find((x) => x.name === "thermal_temperature")!;
  assert.equal(typeof t.args["thermal_zone"], "string");
  assert.match(jsonl.stderr, /wrote \d+ events .* skipped none/);
});

test("ftk export --format perfetto prints what it wrote and skipped", { skip }, async () => {
  const out = join(tmp, "x.pftrace");
  const r = await runFtk(["export", "-i", fixture("v6-i686-4cpu-sched-wakeup.dat"), "--format", "perfetto", "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^ftk export: wrote 1154 events \(\d+ bytes\) to .*; skipped none\n$/);
});

test("ftk export --format parquet: files read back with the tables' row counts and checksums", { skip: skipSql }, async () => {
  const path = fixture("v6-armv7-1cpu-irq-softirq-gpio.dat");
  const dir = join(tmp, "pq");
  const r = await runFtk(["export", "-i", path, "--format", "parquet", "-o", dir]);
  assert.equal(r.code, 0, r.stderr);
  const files = readdirSync(dir).sort();
  for (const t of ["ftrace_event.parquet", "sched_slice.parquet", "thread.parquet", "irq__irq_handler_entry.parquet"]) assert.ok(files.includes(t), t);
  // The same checksum over the tables (loaded again) and over the files.
  const tables = files.map((f) => f.replace(/\.parquet$/, ""));
  const sum = (from: (t: string) => string): string =>
    tables.map((t) => `select '${t}' as t, count(*) as n, sum(hash(x)) as h from ${from(t)} x`).join(" union all ") + " order by t";
  const a = await runFtk(["sql", "-i", path, "--csv", sum((t) => `"${t}"`)]);
  const b = await runFtk(["sql", "-i", path, "--csv", sum((t) => `read_parquet('${join(dir, t + ".parquet")}')`)]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, a.stdout);
  assert.ok(a.stdout.includes("ftrace_event,997,"), a.stdout);
});

test("ftk sql: SQL errors and unknown tables are one line with DuckDB's message, exit 1", { skip: skipSql }, async () => {
  const path = fixture("v6-i686-k5.15-sched-switch.dat");
  const bad = await runFtk(["sql", "-i", path, "selec 1"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^ftk sql: Parser Error: syntax error at or near "selec"\n$/);
  const none = await runFtk(["sql", "-i", path, "select * from nope"]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^ftk sql: Catalog Error: Table with name nope does not exist![^\n]*\n$/);
});

test("ftk sql -i a -i b: one database with a trace column per file; --tables lists the columns", { skip: skipSql }, async () => {
  const a = fixture("v6-i686-k5.15-sched-switch.dat");
  const b = fixture("v6-i686-4cpu-sched-wakeup.dat");
  const r = await runFtk(["sql", "-i", a, "-i", b, "--json", "select trace, count(*) as n from ftrace_event group by trace order by n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [{ trace: a, n: 102 }, { trace: b, n: 1154 }]);
  const t = await runFtk(["sql", "-i", a, "--tables"]);
  assert.match(t.stdout, /^ftrace_event\(ts BIGINT, cpu INTEGER, utid INTEGER, name VARCHAR, system VARCHAR, args JSON, trace VARCHAR\)$/m);
  assert.match(t.stdout, /^sched__sched_switch\(ts BIGINT, cpu INTEGER, utid INTEGER, prev_comm VARCHAR, /m);
});

test("ftk export / sql: a non-trace file and an unwritable -o fail with one line, exit 1", { skip }, async () => {
  const junk = join(tmp, "junk.dat");
  writeFileSync(junk, "this is not a trace\n");
  for (const argv of [["export", "-i", junk, "--format", "jsonl"], ["sql", "-i", junk, "select 1"]]) {
    if (argv[0] === "sql" && skipSql !== false) continue;
    const r = await runFtk(argv);
    assert.equal(r.code, 1, argv.join(" "));
    assert.match(r.stderr, /^ftk (export|sql): [^\n]*not a trace\.dat file[^\n]*\n$/);
  }
  const ro = join(tmp, "ro");
  mkdirSync(ro);
  chmodSync(ro, 0o500);
  const out = join(ro, "sub", "x.pftrace");
  const w = await runFtk(["export", "-i", fixture("v6-i686-k5.15-sched-switch.dat"), "--format", "perfetto", "-o", out]);
  assert.equal(w.code, 1);
  assert.match(w.stderr, /^ftk export: cannot write '[^']+': [^\n]+\n$/);
});

test("ftk sql on a corrupt file loads what it can, with the same warnings as report", { skip: skipSql }, async () => {
  const src = fixture("v6-i686-1cpu-sched-switch.dat");
  const bad = join(tmp, "corrupt.dat");
  copyFileSync(src, bad);
  // Overwrite pages in the middle of CPU 0's data with 0xff: their headers no longer make sense.
  const trace = await openTrace(bad);
  const cpu0 = trace.buffers[0]!.cpus[0]!;
  await trace.close();
  const fd = openSync(bad, "r+");
  writeSync(fd, Buffer.alloc(20000, 0xff), 0, 20000, cpu0.fileOffset + Math.floor(cpu0.size / 2 / 4096) * 4096);
  closeSync(fd);
  const rep = await runFtk(["report", "-i", bad]);
  const sql = await runFtk(["sql", "-i", bad, "select count(*) from ftrace_event"]);
  assert.equal(sql.code, 0, sql.stderr);
  const warnings = (s: string): string[] => s.split("\n").filter((l) => /^ftk \w+: warning: /.test(l)).map((l) => l.replace(/^ftk \w+: /, ""));
  assert.ok(warnings(rep.stderr).length > 0, "the corruption makes report warn");
  assert.deepEqual(warnings(sql.stderr), warnings(rep.stderr));
  const n = Number(/\d+/.exec(sql.stdout.split("\n")[2]!)![0]);
  assert.equal(n, rep.stdout.split("\n").filter((l) => /\[\d+\]\s+\d+\.\d+: /.test(l)).length);
});
