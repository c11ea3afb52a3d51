import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { openTrace } from "../tracedat/index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { EventLineFormatter, readEvents } from "./read-events.js";
import { TimestampFormatter } from "./timestamps.js";

const skip = skipWithoutShared();
const fixture = (name: string): string => join(sharedDir()!, "fixtures", "tracedat", name);
const reportLines = (name: string): string[] =>
  readFileSync(fixture(name.replace(/\.dat$/, ".report"))).toString("latin1").split("\n").slice(1, -1);

test("readEvents yields the events of one CPU and one event, with fields, as the report shows them", { skip }, async () => {
  const name = "v6-i686-4cpu-sched-wakeup.dat";
  const expected = reportLines(name).filter((l) => l.includes(" [002] ") && l.includes(" sched_switch: "));
  const trace = await openTrace(fixture(name));
  try {
    const ts = new TimestampFormatter("usec");
    const got = [];
    for await (const ev of readEvents(trace, { events: ["sched:sched_switch"], cpus: [2] })) got.push(ev);
    assert.equal(got.length, expected.length);
    assert.ok(got.length > 10);
    got.forEach((ev, i) => {
      const line = expected[i]!;
      assert.equal(ev.cpu, 2);
      assert.equal(ev.system, "sched");
      assert.equal(ev.name, "sched_switch");
      assert.equal(typeof ev.ts, "bigint");
      assert.ok(line.includes(ts.column(Number(ev.ts))), line);
      assert.ok(line.includes(`-${ev.pid} `), line);
      // The sched_switch plugin prints prev_comm:prev_pid ... ==> next_comm:next_pid.
      assert.ok(line.includes(`${ev.fields["prev_comm"]}:${ev.fields["prev_pid"]} `), line);
      assert.ok(line.includes(`==> ${ev.fields["next_comm"]}:${ev.fields["next_pid"]} `), line);
    });
  } finally {
    await trace.close();
  }
});

test("readEvents honours the time window (inclusive) and a system name", { skip }, async () => {
  const trace = await openTrace(fixture("v6-i686-4cpu-sched-wakeup.dat"));
  try {
    const all = [];
    for await (const ev of readEvents(trace, { events: ["sched"] })) all.push(ev.ts);
    const from = all[10]!;
    const to = all[20]!;
    const window = [];
    for await (const ev of readEvents(trace, { events: ["sched"], fromTs: from, toTs: to })) window.push(ev.ts);
    assert.deepEqual(window, all.filter((t) => t >= from && t <= to));
    assert.ok(window.length >= 11);
    const sorted = [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(all, sorted);
  } finally {
    await trace.close();
  }
});

test("EventLineFormatter formats records as the report lines of a one-CPU file", { skip }, async () => {
  const name = "v6-i686-k5.15-sched-switch.dat";
  const expected = reportLines(name);
  const trace = await openTrace(fixture(name));
  try {
    const f = new EventLineFormatter(trace);
    const s = trace.cpuStream(0, 0);
    const got: string[] = [];
    while (await s.advance()) got.push(f.format(s.record));
    assert.deepEqual(got, expected);
  } finally {
    await trace.close();
  }
});
