import { test } from "node:test";
import assert from "node:assert/strict";
import { UfuncGraphBuilder, ufuncGraphText, ufuncSummaryText } from "./ufuncgraph.js";
import type { UfuncEvent, UfuncGraphLine } from "./ufuncgraph.js";

// Synthetic events: [ts µs, pid, "+func" entry | "-func" return].
function run(events: [number, number, string][]): { lines: UfuncGraphLine[]; builder: UfuncGraphBuilder } {
  const lines: UfuncGraphLine[] = [];
  const builder = new UfuncGraphBuilder((l) => lines.push(l));
  for (const [us, pid, what] of events) {
    const ev: UfuncEvent = { tsNs: us * 1000, cpu: pid % 2, pid, comm: `t${pid}`, func: what.slice(1), isReturn: what[0] === "-" };
    builder.push(ev);
  }
  builder.finish();
  return { lines, builder };
}

test("UfuncGraphBuilder renders nested calls, leaves and exits in the function_graph layout", () => {
  const { lines } = run([[100, 1, "+main"], [101, 1, "+a"], [102, 1, "+b"], [110, 1, "-b"], [112, 1, "+c"], [250, 1, "-c"], [300, 1, "-a"], [20000, 1, "-main"]]);
  assert.deepEqual(lines.map((l) => ufuncGraphText(l)), [
    "             |  main() {",
    "             |    a() {",
    "  8.000 us   |      b();",
    "! 138.000 us |      c();",
    "! 199.000 us |    }",
    "# 19900.000 us |  }",
  ]);
  assert.deepEqual(lines.map((l) => l.kind), ["entry", "entry", "leaf", "leaf", "exit", "exit"]);
});

test("UfuncGraphBuilder keeps threads apart and emits lines in time order", () => {
  const { lines } = run([[1, 1, "+f"], [2, 2, "+g"], [3, 1, "-f"], [4, 2, "+h"], [5, 2, "-h"], [6, 2, "-g"]]);
  assert.deepEqual(lines.map((l) => [l.pid, l.kind, l.func, l.depth, l.durationNs]), [
    [1, "leaf", "f", 0, 2000],
    [2, "entry", "g", 0, undefined],
    [2, "leaf", "h", 1, 1000],
    [2, "exit", "g", 0, 4000],
  ]);
  // Time order of the line timestamps.
  const ts = lines.map((l) => l.tsNs);
  assert.deepEqual([...ts].sort((a, b) => a - b), ts);
});

test("UfuncGraphBuilder handles recursion, lost returns and returns without entries", () => {
  const { lines } = run([[1, 1, "-x"], [2, 1, "+r"], [3, 1, "+r"], [4, 1, "-r"], [5, 1, "-r"], [6, 1, "+p"], [7, 1, "+q"], [9, 1, "-p"], [10, 1, "+s"]]);
  assert.deepEqual(lines.map((l) => ufuncGraphText(l, { tailprint: true }).trim()), [
    "|  } /* x */",
    "|  r() {",
    "1.000 us   |    r();",
    "3.000 us   |  } /* r */",
    "|  p() {",
    "|    q() {",
    "3.000 us   |  } /* p */",
    "|  s() {",
  ]);
});

test("UfuncGraphBuilder.stats() counts calls, total and self time; summary text lists them", () => {
  const { builder } = run([[0, 1, "+a"], [10, 1, "+b"], [15, 1, "-b"], [20, 1, "+b"], [30, 1, "-b"], [100, 1, "-a"]]);
  const stats = builder.stats();
  assert.deepEqual(stats.map((s) => [s.func, s.calls, s.totalNs, s.selfNs, s.minNs, s.maxNs]), [
    ["a", 1, 100000, 85000, 100000, 100000],
    ["b", 2, 15000, 15000, 5000, 10000],
  ]);
  const text = ufuncSummaryText(stats).split("\n");
  assert.match(text[0]!, /^calls\s+total\(us\)\s+self\(us\)\s+min\(us\)\s+max\(us\)\s+function$/);
  assert.match(text[1]!, /^\s+1\s+100\.000\s+85\.000\s+100\.000\s+100\.000\s+a$/);
  assert.match(text[2]!, /^\s+2\s+15\.000\s+15\.000\s+5\.000\s+10\.000\s+b$/);
});
