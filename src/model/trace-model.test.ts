import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { TextOutput } from "../base/index.js";
import { writeReport } from "../report/index.js";
import { openTrace } from "../tracedat/index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { compilePrevState } from "./prev-state.js";
import { walkModel } from "./trace-model.js";

const skip = skipWithoutShared();
const fixture = (name: string): string => join(sharedDir()!, "fixtures", "tracedat", name);

test("walkModel() sched_slice durations add up, per CPU, to the span between its first and last sched_switch", { skip }, async () => {
  const trace = await openTrace(fixture("v6-arm64-6cpu-sched-switch.dat"), { onWarning: () => {} });
  try {
    const sum = new Map<number, number>();
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    let open = 0;
    const swId = [...trace.events.all()].find((e) => e.name === "sched_switch")!.id;
    await walkModel(trace, {
      event: (rec, ev) => {
        if (ev?.id !== swId) return;
        if (!first.has(rec.cpu)) first.set(rec.cpu, rec.ts);
        last.set(rec.cpu, rec.ts);
      },
      schedSlice: (ts, dur, cpu) => {
        if (dur < 0) open++;
        else sum.set(cpu, (sum.get(cpu) ?? 0) + dur);
      },
    });
    assert.ok(first.size > 1);
    for (const [cpu, t0] of first) assert.equal(sum.get(cpu) ?? 0, last.get(cpu)! - t0, `cpu ${cpu}`);
    assert.equal(open, first.size);
  } finally {
    await trace.close();
  }
});

test("walkModel() thread_state intervals of a thread do not overlap and names come from sched_switch comms", { skip }, async () => {
  const trace = await openTrace(fixture("v6-i686-4cpu-sched-wakeup.dat"), { onWarning: () => {} });
  try {
    const end = new Map<number, number>();
    let states = 0;
    const seen = new Set<string>();
    const model = await walkModel(trace, {
      threadState: (ts, dur, utid, state) => {
        assert.ok(ts >= (end.get(utid) ?? 0), `utid ${utid} overlaps at ${ts}`);
        if (dur >= 0) end.set(utid, ts + dur);
        seen.add(state.replace("+", ""));
        states++;
      },
    });
    assert.ok(states > 100);
    assert.ok(seen.has("Running") && seen.has("R") && seen.has("S"), [...seen].join(","));
    const report = readFileSync(fixture("v6-i686-4cpu-sched-wakeup.report"), "latin1");
    const m = /==> (\S+):(\d+) /.exec(report.slice(report.lastIndexOf("sched_switch")))!;
    const t = model.threads.threads.find((x) => x.tid === Number(m[2]))!;
    assert.equal(t.name, m[1]);
  } finally {
    await trace.close();
  }
});

test("walkModel() function_graph slices have the durations that the report prints", { skip }, async () => {
  const name = "lab-v6-x86_64-2cpu-funcgraph.dat";
  const trace = await openTrace(fixture(name), { onWarning: () => {} });
  try {
    const got: string[] = [];
    let maxDepth = 0;
    await walkModel(trace, {
      slice: (ts, dur, depth, fn, category) => {
        assert.equal(category, "funcgraph");
        maxDepth = Math.max(maxDepth, depth);
        if (dur >= 0) got.push(`${Math.floor(dur / 1000)}.${String(dur % 1000).padStart(3, "0")}`);
      },
    });
    const want = [...readFileSync(fixture(name.replace(".dat", ".report")), "latin1").matchAll(/funcgraph_e\w+:\s+[+!#*@$]?\s*(\d+\.\d{3}) us/g)].map((m) => m[1]!);
    assert.ok(want.length > 50);
    assert.deepEqual(got.sort(), want.sort());
    assert.ok(maxDepth >= 3);
  } finally {
    await trace.close();
  }
});

test("compilePrevState() reads the flag table of the print fmt (6.x bits and 4.x arm64 bits)", () => {
  const v6 = compilePrevState('__print_flags(REC->prev_state & 255, "|", { 0x00000001, "S" }, { 0x00000002, "D" }, { 0x00000080, "I" }) : "R"');
  assert.equal(v6(0), "R");
  assert.equal(v6(1), "S");
  assert.equal(v6(3), "S|D");
  assert.equal(v6(256), "R+");
  const v4 = compilePrevState('{ 1, "S"} , { 2, "D" }, { 512, "P" }');
  assert.equal(v4(1024), "R+");
  assert.equal(v4(2), "D");
});

test("walkModel() syscall slices pair enter and exit by thread, with the report's timestamp differences", { skip }, async () => {
  const path = join(sharedDir()!, "fixtures", "bench", "lab-v7-zstd-x86_64-funcgraph-sched-syscalls-418k.dat");
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) });
  const out = new TextOutput(sink);
  await writeReport({ inputs: [path], filters: ["syscalls"], nsTimestamps: true }, out);
  await out.flush();
  // `comm-PID [CPU] SECONDS.NANOS: sys_enter_NAME:` lines; an exit completes its thread's open entry.
  const open = new Map<number, { ts: number; name: string }>();
  const want: string[] = [];
  for (const m of Buffer.concat(chunks).toString("latin1").matchAll(/-(\d+)\s+\[\d+\]\s+(\d+)\.(\d{9}): sys_(enter|exit)_(\w+):/g)) {
    const tid = Number(m[1]);
    const ts = Number(m[2]) * 1e9 + Number(m[3]);
    if (m[4] === "enter") open.set(tid, { ts, name: m[5]! });
    else if (open.get(tid)?.name === m[5]) {
      want.push(`${tid} ${m[5]} ${open.get(tid)!.ts} ${ts - open.get(tid)!.ts}`);
      open.delete(tid);
    }
  }
  const trace = await openTrace(path, { onWarning: () => {} });
  try {
    const got: string[] = [];
    const { threads } = await walkModel(trace, {
      slice: (ts, dur, depth, name, category, utid) => {
        if (category === "syscall" && dur >= 0) got.push(`${utid} ${name} ${ts} ${dur}`);
      },
    });
    const named = got.map((g) => g.replace(/^\d+/, (u) => String(threads.threads[Number(u)]!.tid)));
    assert.ok(want.length > 1000, `${want.length} syscalls in the report`);
    assert.deepEqual(named.sort(), want.sort());
  } finally {
    await trace.close();
  }
});

test("walkModel() reports progress with the fraction of the data read, ending at 1", { skip }, async () => {
  const trace = await openTrace(fixture("v6-i686-1cpu-sched-switch.dat"), { onWarning: () => {} });
  try {
    const seen: [number, number][] = [];
    const { records } = await walkModel(trace, {}, { progressEvery: 1000, onProgress: (n, f) => seen.push([n, f]) });
    assert.ok(seen.length >= 9);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]![1] >= seen[i - 1]![1] && seen[i]![1] <= 1, `fraction ${seen[i]![1]}`);
    assert.ok(seen[0]![1] > 0 && seen[0]![1] < 0.5, `first fraction ${seen[0]![1]}`);
    assert.deepEqual(seen.at(-1), [records, 1]);
  } finally {
    await trace.close();
  }
});
