import assert from "node:assert/strict";
import { test } from "node:test";
import { parseFieldLine } from "./event-format.js";
import { fieldBigIntReader, fieldNumberReader, fieldSignedReader, fieldStringReader } from "./field-readers.js";
import { LE64, RecordBuilder } from "./test-records.js";

const BE32 = { littleEndian: false, longSize: 4 as const, kernelLongSize: 4 as const };

test("fieldNumberReader/fieldSignedReader read by size in file endianness", () => {
  const f4 = parseFieldLine("field:int v;\toffset:8;\tsize:4;\tsigned:1;", 8)!;
  const f2 = parseFieldLine("field:short s;\toffset:12;\tsize:2;\tsigned:1;", 8)!;
  const le = new RecordBuilder(16, 1).u32(8, -5).u16(12, 0xfffe).record();
  assert.equal(fieldNumberReader(f4, LE64)(le), 0xfffffffb);
  assert.equal(fieldSignedReader(f4, LE64)(le), -5);
  assert.equal(fieldSignedReader(f2, LE64)(le), -2);
  const be = new RecordBuilder(16, 1, false).u32(8, 0x01020304).record();
  assert.equal(fieldNumberReader(f4, BE32)(be), 0x01020304);
});

test("fieldBigIntReader keeps all 64 bits; fieldNumberReader is exact below 2^53", () => {
  const f = parseFieldLine("field:u64 v;\toffset:8;\tsize:8;\tsigned:0;", 8)!;
  const r = new RecordBuilder(16, 1).u64(8, 0xffffffff81000123n).record();
  assert.equal(fieldBigIntReader(f, LE64)(r), 0xffffffff81000123n);
  const small = new RecordBuilder(16, 1).u64(8, 2n ** 52n + 7n).record();
  assert.equal(fieldNumberReader(f, LE64)(small), 2 ** 52 + 7);
  assert.equal(fieldSignedReader(f, LE64)(new RecordBuilder(16, 1).u64(8, -3n).record()), -3);
});

test("fieldStringReader reads char arrays, __data_loc, __rel_loc and zero-size fields up to NUL", () => {
  const comm = parseFieldLine("field:char comm[8];\toffset:8;\tsize:8;\tsigned:0;", 8)!;
  const name = parseFieldLine("field:__data_loc char[] name;\toffset:16;\tsize:4;\tsigned:0;", 8)!;
  const rel = parseFieldLine("field:__rel_loc char[] rel;\toffset:20;\tsize:4;\tsigned:0;", 8)!;
  const rec = new RecordBuilder(48, 1).str(8, "bash").dataLoc(16, 24, "eth0").dataLoc(20, 32, "rel!", true, 24).record();
  assert.equal(fieldStringReader(comm, LE64)(rec), "bash");
  assert.equal(fieldStringReader(name, LE64)(rec), "eth0");
  assert.equal(fieldStringReader(rel, LE64)(rec), "rel!");
  const buf = parseFieldLine("field:char buf[];\toffset:12;\tsize:0;\tsigned:1;", 8)!;
  const m = new RecordBuilder(24, 1).str(12, "hi\xe9\n").record();
  assert.equal(fieldStringReader(buf, LE64)(m), "hi\xe9\n", "latin1, byte for byte");
});

test("field readers return 0 for fields beyond a short record", () => {
  const f = parseFieldLine("field:int v;\toffset:8;\tsize:4;\tsigned:1;", 8)!;
  const r = new RecordBuilder(8, 1).record();
  assert.equal(fieldNumberReader(f, LE64)(r), 0);
});
