import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuColumn, eventNameColumn, latencyFlags, missedEventsLine, rawLatencyFlags, taskColumn } from "./line-parts.js";

test("taskColumn right-aligns comm in 16 and left-aligns pid in 5", () => {
  assert.equal(taskColumn("bash", 1234, false), "            bash-1234 ");
  assert.equal(taskColumn("a-very-long-command-name", 1234567, false), "a-very-long-command-name-1234567");
});

test("taskColumn with -l cuts comm to 8 characters", () => {
  assert.equal(taskColumn("trace-cmd", 3000, true), "trace-cm-3000 ");
  assert.equal(taskColumn("ls", 108, true), "      ls-108  ");
});

test("cpuColumn pads to three digits in brackets, or %3d with -l", () => {
  assert.equal(cpuColumn(0, false), " [000]");
  assert.equal(cpuColumn(12, false), " [012]");
  assert.equal(cpuColumn(1234, false), " [1234]");
  assert.equal(cpuColumn(1, true), "   1");
});

test("eventNameColumn pads names shorter than 20 characters", () => {
  assert.equal(eventNameColumn("sched_switch"), " sched_switch:         ");
  assert.equal(eventNameColumn("sched_stat_runtime_long"), " sched_stat_runtime_long: ");
  assert.equal(eventNameColumn("(NULL)"), " (NULL):               ");
});

test("latencyFlags matches the verified -l strings", () => {
  assert.equal(latencyFlags(0x01, 0x02, 0), "d..2.0");
  assert.equal(latencyFlags(0x05, 0x01), "dN.1.");
  assert.equal(latencyFlags(0x08, 0x10), "..h.1");
  assert.equal(latencyFlags(0x18, 0x21), "..H12");
  assert.equal(latencyFlags(0x10, 0x01), "..s1.");
  assert.equal(latencyFlags(0x02, 0x00), "X....");
  assert.equal(latencyFlags(0x00, 0xaf), "...fa");
  assert.equal(latencyFlags(0, 0, -1, 3), "......" + "3");
});

test("rawLatencyFlags prints -0x<hex>", () => {
  assert.equal(rawLatencyFlags(0x1d), "-0x1d");
});

test("missedEventsLine with and without a count", () => {
  assert.equal(missedEventsLine(0, 5), "CPU:0 [5 EVENTS DROPPED]\n");
  assert.equal(missedEventsLine(3, -1), "CPU:3 [EVENTS DROPPED]\n");
});
