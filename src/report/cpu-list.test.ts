import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../base/index.js";
import { parseCpuList } from "./cpu-list.js";

test("parseCpuList reads numbers, ranges and both separators", () => {
  assert.deepEqual(parseCpuList("0"), [0]);
  assert.deepEqual(parseCpuList("0,2-3"), [0, 2, 3]);
  assert.deepEqual(parseCpuList("1:4"), [1, 4]);
  assert.deepEqual(parseCpuList(" 5- 6"), [5, 6]);
  assert.deepEqual(parseCpuList("1 3"), [1, 3]);
});

test("parseCpuList rejects bad characters and reversed ranges with a UsageError", () => {
  assert.throws(() => parseCpuList("a"), UsageError);
  assert.throws(() => parseCpuList("0,,1"), UsageError);
  assert.throws(() => parseCpuList("3-1"), /first cpu/);
  assert.throws(() => parseCpuList(""), UsageError);
});
