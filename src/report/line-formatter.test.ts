import assert from "node:assert/strict";
import { test } from "node:test";
import { EventTable, TaskNames } from "../events/index.js";
import { createRawRecord } from "../ringbuf/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { LineFormatter } from "./line-formatter.js";

const FORMAT = `name: foo
ID: 5
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int x;\toffset:8;\tsize:4;\tsigned:1;

print fmt: "x=%d", REC->x
`;

/** A stand-in for an opened file: only what LineFormatter reads (events, task names, options). */
function fakeTrace(): TraceFile {
  const events = new EventTable({ littleEndian: true, longSize: 8, kernelLongSize: 8 });
  events.addFormat(FORMAT, "test");
  return { events, tasks: TaskNames.parse("1234 bash\n"), options: [] } as unknown as TraceFile;
}

/** A 12-byte record: common_type, flags, preempt count, pid, x. */
function record(id: number, flags: number, pc: number, pid: number, cpu: number) {
  const rec = createRawRecord();
  const buf = new Uint8Array(12);
  const view = new DataView(buf.buffer);
  view.setUint16(0, id, true);
  buf[2] = flags;
  buf[3] = pc;
  view.setInt32(4, pid, true);
  Object.assign(rec, { buf, view, pos: 0, len: 12, cpu, ts: 5000000000 });
  return rec;
}

test("LineFormatter builds the task, CPU and latency columns from the common fields", () => {
  const trace = fakeTrace();
  const plain = new LineFormatter(trace, { latency: false, raw: false, timestamps: "usec" });
  const rec = record(5, 0x05, 0x01, 1234, 1);
  assert.equal(plain.eventOf(rec)?.name, "foo");
  assert.equal(plain.taskColumns(rec), "            bash-1234  [001]");
  assert.equal(plain.taskColumns(record(5, 0, 0, 77, 0)), "           <...>-77    [000]");
  const lat = new LineFormatter(trace, { latency: true, raw: false, timestamps: "usec" });
  assert.equal(lat.taskColumns(rec), "    bash-1234    1dN.1.");
  const rawLat = new LineFormatter(trace, { latency: true, raw: true, timestamps: "usec" });
  assert.equal(rawLat.taskColumns(rec), "    bash-1234    1-0x5");
});

test("LineFormatter prints [UNKNOWN EVENT] columns and (NULL) for an unknown event id", () => {
  const trace = fakeTrace();
  const rec = record(9, 0x01, 0, 1234, 0);
  const plain = new LineFormatter(trace, { latency: false, raw: false, timestamps: "usec" });
  assert.equal(plain.eventOf(rec), undefined);
  assert.equal(plain.unknownColumns(rec) + plain.nameColumn(undefined), "[UNKNOWN EVENT][UNKNOWN EVENT] (NULL):               ");
  const lat = new LineFormatter(trace, { latency: true, raw: false, timestamps: "usec" });
  assert.equal(lat.unknownColumns(rec), "[UNKNOWN EVENT][UNKNOWN EVENT][UNKNOWN EVENT]");
  const rawLat = new LineFormatter(trace, { latency: true, raw: true, timestamps: "usec" });
  assert.equal(rawLat.unknownColumns(rec), "[UNKNOWN EVENT]-0x1[UNKNOWN EVENT]");
});
