import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { TextOutput } from "../base/index.js";
import { NESTED_PREFIX, depthIndent, durationPrefix, overheadMarker, writeDepthIndent, writeDurationPrefix } from "./funcgraph-text.js";

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

test("writeDurationPrefix and writeDepthIndent write what durationPrefix and depthIndent return", async () => {
  const chunks: Buffer[] = [];
  const out = new TextOutput(new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) }));
  const durations = [0, 1, 999, 1000, 9999, 10000, 10001, 99999, 100000, 100001, 999999, 1000000, 1000001, 9999999, 123456789, 999999999, 1e9, 1e9 + 1, 2 ** 40, 2 ** 64];
  for (let d = 7; d < 1e9; d = Math.floor(d * 1.7) + 3) durations.push(d);
  const depths = [0, 1, 2, 31, 63, 64, 65, 100, 2047, 2048, 5000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
  let expected = "";
  for (const d of durations) {
    writeDurationPrefix(out, d);
    expected += durationPrefix(d) + "\n";
    out.write("\n");
  }
  for (const depth of depths) {
    writeDepthIndent(out, depth);
    expected += depthIndent(depth) + "|\n";
    out.write("|\n");
  }
  await out.flush();
  assert.equal(Buffer.concat(chunks).toString("latin1"), expected);
});
