import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtoWriter } from "./proto-writer.js";

const hex = (w: ProtoWriter): string => w.bytes().toString("hex");

test("ProtoWriter writes varints, 64-bit halves and negative int32 as the wire format says", () => {
  const w = new ProtoWriter(4);
  w.uint(1, 150);
  assert.equal(hex(w), "089601");
  w.reset();
  w.int(2, -1);
  assert.equal(hex(w), "10ffffffffffffffffff01");
  w.reset();
  w.int64(3, 0, 1); // 2^32
  assert.equal(hex(w), "188080808010");
  w.reset();
  w.int64(1, 0xffffffff, 0xffffffff);
  assert.equal(hex(w), "08ffffffffffffffffff01");
  w.reset();
  w.uint(1, 2 ** 53 - 1);
  assert.equal(hex(w), "08ffffffffffffff0f");
  // Out-of-range values (damaged data) still make a valid varint of at most 10 bytes.
  w.reset();
  w.uint(1, 2 ** 70);
  assert.equal(hex(w), "0800");
  w.reset();
  w.uint(1, -2);
  assert.equal(hex(w), "08feffffffffffffffff01");
});

test("ProtoWriter nested messages get their lengths, moving long bodies past a longer length", () => {
  const w = new ProtoWriter(2);
  w.begin(1);
  w.string(2, "hi");
  w.end();
  assert.equal(hex(w), "0a04" + "12026869");
  w.reset();
  w.begin(1);
  w.begin(2);
  w.string(3, "x".repeat(200));
  w.end();
  w.end();
  const b = w.bytes();
  // outer: 0a, len 206 = ce 01; inner: 12, len 203 = cb 01; string: 1a, c8 01, 200 bytes
  assert.equal(b.subarray(0, 9).toString("hex"), "0ace0112cb011ac801");
  assert.equal(b.length, 3 + 3 + 3 + 200);
});
