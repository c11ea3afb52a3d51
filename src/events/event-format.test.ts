import assert from "node:assert/strict";
import { test } from "node:test";
import { EventTable, parseFieldLine } from "./event-format.js";
import { formatText, LE64 } from "./test-records.js";

test("parseFieldLine() classifies char arrays as strings with element size 1", () => {
  const f = parseFieldLine("\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;", 8)!;
  assert.equal(f.name, "comm");
  assert.equal(f.type, "char[16]");
  assert.equal(f.arrayLen, 16);
  assert.equal(f.isString, true);
  assert.equal(f.elementSize, 1);
  assert.equal(f.isDynamic, false);
});

test("parseFieldLine() reads __data_loc, __rel_loc and the old 2-byte __data_loc", () => {
  const d = parseFieldLine("\tfield:__data_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;", 8)!;
  assert.deepEqual([d.name, d.type, d.isDynamic, d.isRelLoc, d.isString, d.arrayLen, d.elementSize], ["name", "__data_loc char[]", true, false, true, 0, 1]);
  const r = parseFieldLine("\tfield:__rel_loc u32[] vals;\toffset:12;\tsize:4;\tsigned:0;", 8)!;
  assert.deepEqual([r.isDynamic, r.isRelLoc, r.isString, r.elementSize], [true, true, false, 4]);
  const old = parseFieldLine("\tfield:__data_loc char[] msg;\toffset:8;\tsize:2;\tsigned:0;", 8)!;
  assert.equal(old.isString, true);
  const ul = parseFieldLine("\tfield:__data_loc unsigned long[] mask;\toffset:8;\tsize:4;\tsigned:0;", 8)!;
  assert.equal(ul.elementSize, 0, "type_size() knows only u8..s64 and char");
});

test("parseFieldLine() handles pointers, longs, missing signed:, and TYPE [] NAME", () => {
  const p = parseFieldLine("\tfield:const char * fmt;\toffset:16;\tsize:8;\tsigned:0;", 8)!;
  assert.deepEqual([p.name, p.isPointer, p.isString, p.arrayLen], ["fmt", true, false, -1]);
  const l = parseFieldLine("\tfield:unsigned long caller[8];\toffset:8;\tsize:32;", 4)!;
  assert.deepEqual([l.isLong, l.signed, l.arrayLen, l.elementSize], [true, false, 8, 4]);
  const b = parseFieldLine("\tfield:char [] buf;\toffset:12;\tsize:0;\tsigned:1;", 4)!;
  assert.deepEqual([b.name, b.arrayLen, b.signed, b.isString], ["buf", 0, true, true]);
  const s = parseFieldLine("\tfield special:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;", 8)!;
  assert.equal(s.name, "ip");
  assert.equal(parseFieldLine("print fmt: \"x\"", 8), undefined);
});

test("EventTable.addFormat() splits common and own fields and looks events up by id", () => {
  const t = new EventTable(LE64);
  const ev = t.addFormat(formatText("x", 300, ["field:int a;\toffset:8;\tsize:4;\tsigned:1;"], '"a=%d", REC->a'), "s")!;
  assert.equal(ev.commonFields.length, 4);
  assert.deepEqual(ev.fields.map((f) => f.name), ["a"]);
  assert.equal(t.byId(300), ev);
  assert.equal(t.byId(301), undefined);
  assert.equal(ev.findField("common_pid")!.offset, 4);
  assert.equal(ev.failed, false);
  assert.equal(t.addFormat("garbage", "s"), undefined);
});

test("EventTable.addFormat() marks print fmts libtraceevent 1.7.1 cannot parse as failed", () => {
  const t = new EventTable(LE64);
  const f = (n: string, id: number, pf: string) => t.addFormat(formatText(n, id, ["field:int a;\toffset:8;\tsize:4;\tsigned:1;"], pf), "s")!;
  assert.equal(f("u32arr", 1, '"%s", __print_u32_array(REC->a)').failed, true);
  assert.equal(f("sz", 2, '"%d", sizeof(u64)').failed, true);
  assert.equal(f("noarg", 3, '"%d %d", REC->a').failed, true);
  assert.equal(f("arrow", 4, '"%d", REC->a->b').failed, true);
  assert.equal(f("ok", 5, '"%d %s", REC->a, REC->a ? "y" : "n"').failed, false);
  assert.equal(f("plugin", 6, '"%s", jbd2_dev_to_name(REC->a)').failed, false);
});

test("EventFormat.commonFields read before the fields matches the full parse, with or without a blank line", () => {
  const own = ["field:int a;\toffset:8;\tsize:4;\tsigned:1;"];
  const first = new EventTable(LE64).addFormat(formatText("x", 1, own, '"a=%d", REC->a'), "s")!;
  const later = new EventTable(LE64).addFormat(formatText("x", 1, own, '"a=%d", REC->a'), "s")!;
  assert.equal(later.fields.length, 1);
  assert.deepEqual(first.commonFields, later.commonFields);
  assert.equal(first.commonFields.length, 4);
  // One group only (no blank line): common fields are the common_* ones.
  const oneGroup = "name: y\nID: 2\nformat:\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\tfield:int b;\toffset:8;\tsize:4;\tsigned:1;\nprint fmt: \"b=%d\", REC->b\n";
  const y = new EventTable(LE64).addFormat(oneGroup, "s")!;
  assert.deepEqual(y.commonFields.map((f) => f.name), ["common_pid"]);
  assert.deepEqual(y.fields.map((f) => f.name), ["b"]);
});
