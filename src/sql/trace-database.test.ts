import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import { TextOutput } from "../base/index.js";
import { writeReport } from "../report/index.js";
import { skipWithoutDuckdb } from "../test-support/duckdb.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { TraceDatabase } from "./trace-database.js";

const skip = skipWithoutShared() || skipWithoutDuckdb();
const fixture = (name: string): string => join(sharedDir()!, "fixtures", "tracedat", name);

async function reportText(path: string, raw: boolean, filters?: string[]): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new TextOutput(new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) }));
  await writeReport({ inputs: [path], raw, nsTimestamps: true, onWarning: () => {}, ...(filters ? { filters } : {}) }, out);
  await out.flush();
  return Buffer.concat(chunks).toString("latin1");
}

/** Records per CPU in `report -R` (one line each; stack-trace continuation lines start with "=>"). */
function recordLines(text: string): string[] {
  return text.split("\n").filter((l) => /\[\d+\]\s+\d+\.\d+: /.test(l));
}

const N = (v: unknown): number => Number(v);

const files = ["v6-i686-4cpu-sched-wakeup.dat", "v7-zstd-x86_64-4cpu-sched-irq-kstack.dat", "v6-arm64-6cpu-sched-load-noopts.dat", "lab-v6-x86_64-2cpu-funcgraph.dat"];
let db: TraceDatabase | undefined;
before(async () => {
  if (skip === false) db = await TraceDatabase.open(files.map(fixture), { onWarning: () => {} });
});
after(() => db?.close());

test("TraceDatabase: count(*) from ftrace_event equals the records of ftk report, per file and per CPU", { skip }, async () => {
  for (const f of files) {
    const lines = recordLines(await reportText(fixture(f), true));
    const r = await db!.query(`select cpu, count(*) from ftrace_event where trace = '${fixture(f)}' group by cpu order by cpu`);
    const want = new Map<number, number>();
    for (const l of lines) {
      const cpu = Number(/\[(\d+)\]/.exec(l)![1]);
      want.set(cpu, (want.get(cpu) ?? 0) + 1);
    }
    assert.deepEqual(r.rows.map(([c, n]) => [N(c), N(n)]), [...want].sort((a, b) => a[0] - b[0]), f);
  }
});

test("TraceDatabase: per-CPU sched_switch counts equal grep -c on the report", { skip }, async () => {
  const f = fixture("v7-zstd-x86_64-4cpu-sched-irq-kstack.dat");
  const lines = (await reportText(f, false)).split("\n").filter((l) => l.includes(" sched_switch: "));
  for (const cpu of [0, 1, 2, 3]) {
    const grep = lines.filter((l) => l.includes(`[00${cpu}]`)).length;
    const r = await db!.query(`select count(*) from sched__sched_switch where trace = '${f}' and cpu = ${cpu}`);
    assert.equal(N(r.rows[0]![0]), grep, `cpu ${cpu}`);
    const e = await db!.query(`select count(*) from ftrace_event where trace = '${f}' and cpu = ${cpu} and name = 'sched_switch'`);
    assert.equal(N(e.rows[0]![0]), grep);
  }
});

test("TraceDatabase: each CPU's sched_slice durations add up to its span between first and last switch", { skip }, async () => {
  const r = await db!.query(`
    with s as (select trace, cpu, sum(dur) as total from sched_slice where dur >= 0 group by all),
         w as (select trace, cpu, max(ts) - min(ts) as span from sched__sched_switch group by all)
    select w.trace, w.cpu, coalesce(s.total, 0), w.span from w left join s using (trace, cpu) order by all`);
  assert.ok(r.rows.length >= 8);
  for (const [trace, cpu, total, span] of r.rows) assert.equal(N(total), N(span), `${trace} cpu ${cpu}`);
});

test("TraceDatabase: function_graph slices have the durations that the report prints", { skip }, async () => {
  const f = fixture("lab-v6-x86_64-2cpu-funcgraph.dat");
  const r = await db!.query(`select dur from slice where trace = '${f}' and category = 'funcgraph' and dur >= 0`);
  const got = r.rows.map(([d]) => `${Math.floor(N(d) / 1000)}.${String(N(d) % 1000).padStart(3, "0")}`).sort();
  const want = [...readFileSync(f.replace(".dat", ".report"), "latin1").matchAll(/funcgraph_e\w+:\s+[+!#*@$]?\s*(\d+\.\d{3}) us/g)].map((m) => m[1]!).sort();
  assert.ok(want.length > 50);
  assert.deepEqual(got, want);
});

test("TraceDatabase: thread, process and counter tables are filled from the model", { skip }, async () => {
  const f = fixture("v6-arm64-6cpu-sched-load-noopts.dat");
  const c = await db!.query(`select name, count(*) from counter where trace = '${f}' group by name order by name`);
  const idle = readFileSync(f.replace(".dat", ".report"), "latin1").split("\n").filter((l) => l.includes(" cpu_idle: ")).length;
  const freq = readFileSync(f.replace(".dat", ".report"), "latin1").split("\n").filter((l) => l.includes(" cpu_frequency: ")).length;
  assert.deepEqual(c.rows.map(([n, k]) => [n, N(k)]), [["cpufreq", freq], ["cpuidle", idle]]);
  const t = await db!.query(`select count(*), count(name) from thread where trace = '${f}'`);
  assert.ok(N(t.rows[0]![0]) > 5 && N(t.rows[0]![1]) > 5);
  const j = await db!.query(`select count(*) from sched_slice s join thread t using (trace, utid) where t.name is null`);
  assert.equal(N(j.rows[0]![0]), 0, "every sched_slice thread has a name");
});

test("TraceDatabase: tables() lists ftrace_event, the model tables and one table per event type", { skip }, async () => {
  const names = (await db!.tables()).map((t) => t.table);
  for (const t of ["ftrace_event", "thread", "process", "sched_slice", "thread_state", "slice", "counter", "sched__sched_switch", "irq__softirq_entry"]) {
    assert.ok(names.includes(t), t);
  }
  const fe = (await db!.tables()).find((t) => t.table === "ftrace_event")!;
  assert.deepEqual(fe.columns.map((c) => c.name), ["ts", "cpu", "utid", "name", "system", "args", "trace"]);
});

test("TraceDatabase: syscall slices pair enter and exit by thread, dur = the report's timestamp difference", { skip }, async () => {
  const f = fixture("lab-v7-zstd-x86_64-2cpu-sched-kstack.dat");
  const lines = (await reportText(f, false, ["syscalls"])).split("\n");
  const stamp = (l: string): [number, number] => {
    const m = /-(\d+)\s+\[\d+\]\s+(\d+)\.(\d{9}): /.exec(l)!;
    return [Number(m[1]), Number(m[2]) * 1e9 + Number(m[3])];
  };
  const enter = lines.find((l) => l.includes("sys_enter_openat"))!;
  const exit = lines.find((l) => l.includes("sys_exit_openat"))!;
  const [tid, t0] = stamp(enter);
  const [tid2, t1] = stamp(exit);
  assert.equal(tid, tid2);
  const one = await TraceDatabase.open([f], { onWarning: () => {} });
  try {
    const r = await one.query("select s.ts, s.dur, t.tid, s.name from slice s join thread t using (trace, utid) where s.category = 'syscall'");
    assert.deepEqual(r.rows.map(([ts, dur, t, n]) => [N(ts), N(dur), N(t), n]), [[t0, t1 - t0, tid, "openat"]]);
  } finally {
    one.close();
  }
});
