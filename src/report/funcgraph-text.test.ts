import assert from "node:assert/strict";
import { test } from "node:test";
import { NESTED_PREFIX, depthIndent, durationPrefix, overheadMarker } from "./funcgraph-text.js";

test("overheadMarker thresholds are strictly greater than 10us, 100us, 1ms, 1s", () => {
  assert.equal(overheadMarker(10000), "  ");
  assert.equal(overheadMarker(10001), "+ ");
  assert.equal(overheadMarker(100001), "! ");
  assert.equal(overheadMarker(1000001), "# ");
  assert.equal(overheadMarker(1000000001), "$ ");
  assert.equal(overheadMarker(200_000_000_000), "$ ");
});

test("durationPrefix matches the verified function_graph columns", () => {
  assert.equal(durationPrefix(1234), "  1.234 us   |  ");
  assert.equal(durationPrefix(15678), "+ 15.678 us  |  ");
  assert.equal(durationPrefix(123456), "! 123.456 us |  ");
  assert.equal(durationPrefix(1234567), "# 1234.567 us |  ");
  assert.equal(durationPrefix(123456789), "# 123456.789 us |  ");
  assert.equal(durationPrefix(1234567890), "$ 1234567 us |  ");
  assert.equal(durationPrefix(890), "  0.890 us   |  ");
});

test("NESTED_PREFIX has the 13 columns before the bar", () => {
  assert.equal(NESTED_PREFIX, "             |  ");
});

test("depthIndent is 2 spaces per level and nothing for C-negative depths", () => {
  assert.equal(depthIndent(0), "");
  assert.equal(depthIndent(3), "      ");
  assert.equal(depthIndent(4294967295), "");
  assert.equal(depthIndent(1 << 29).length, 4096);
});
