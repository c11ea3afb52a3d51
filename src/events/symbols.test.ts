import assert from "node:assert/strict";
import { test } from "node:test";
import { Kallsyms } from "./kallsyms.js";
import { PrintkFormats } from "./printk-formats.js";
import { TaskNames } from "./task-names.js";

const KALLSYMS = [
  "ffffffff81000200 T schedule",
  "ffffffff81000100 T do_one",
  "ffffffff81000000 A absolute_sym",
  "ffffffff81000150 t $x.local",
  "ffffffff81000400 T last_func\t[mymod]",
  "ffffffff81000300 t __x64_sys_read",
  "",
].join("\n");

test("Kallsyms.lookup() finds the symbol containing an address (exact, inside, below first)", () => {
  const k = Kallsyms.parse(KALLSYMS);
  assert.equal(k.size, 4, "type A and $ names are skipped");
  assert.deepEqual(k.lookup(0xffffffff81000100n), { name: "do_one", addr: 0xffffffff81000100n });
  assert.deepEqual(k.lookup(0xffffffff810001ffn), { name: "do_one", addr: 0xffffffff81000100n });
  assert.equal(k.lookup(0xffffffff81000210n)!.name, "schedule");
  assert.equal(k.lookup(0xffffffff810000ffn), undefined);
});

test("Kallsyms.lookup() matches the last symbol only exactly", () => {
  const k = Kallsyms.parse(KALLSYMS);
  assert.equal(k.lookup(0xffffffff81000400n)!.name, "last_func");
  assert.equal(k.lookup(0xffffffff81000401n), undefined);
  assert.equal(k.lookup(0xffffffff99999999n), undefined);
  assert.equal(k.moduleOf(0xffffffff81000400n), "mymod");
  assert.equal(k.addressOf("schedule"), 0xffffffff81000200n);
  assert.equal(Kallsyms.empty().lookup(1n), undefined);
});

test("PrintkFormats.parse() strips quotes and one trailing \\n escape", () => {
  const p = PrintkFormats.parse('0xffffffff81a00000 : "value=%d name=%s\\n"\n0xc0001000 : "plain"\n');
  assert.equal(p.lookup(0xffffffff81a00000n), "value=%d name=%s");
  assert.equal(p.lookup(0xc0001000n), "plain");
  assert.equal(p.lookup(0x1n), undefined);
});

test("TaskNames: <idle> for pid 0, <...> when unknown, register() never overwrites", () => {
  const t = TaskNames.parse("12 bash\n13 kworker/0:1 x\n");
  assert.equal(t.comm(0), "<idle>");
  assert.equal(t.comm(12), "bash");
  assert.equal(t.comm(13), "kworker/0:1 x");
  assert.equal(t.comm(99), "<...>");
  t.register(99, "sleep");
  t.register(12, "other");
  assert.equal(t.comm(99), "sleep");
  assert.equal(t.comm(12), "bash");
});

test("Kallsyms.lookup() resolves duplicate addresses as trace-cmd 3.1.6 does", () => {
  const k = Kallsyms.parse("ffffffff81001000 T aaa\nffffffff81001000 t bbb\nffffffff81001000 T ccc\nffffffff81001100 T d1\nffffffff81001100 T d2\nffffffff81001200 T e1\nffffffff81001200 T e2\nffffffff81001300 T f\n");
  assert.equal(k.lookup(0xffffffff81001000n)!.name, "aaa");
  assert.equal(k.lookup(0xffffffff81001004n)!.name, "aaa");
  assert.equal(k.lookup(0xffffffff81001100n)!.name, "d1");
  assert.equal(k.lookup(0xffffffff81001204n)!.name, "e1");
});

test("Kallsyms.parse() gives the same table for text in address order and shuffled, ties included", () => {
  const lines = ["ffffffff81001000 T a1", "ffffffff81001000 t a2", "ffffffff81001100 T b\t[m1]", "ffffffff81001100 T b2", "ffffffff81001200 T c"];
  const ordered = Kallsyms.parse(lines.join("\n"));
  const shuffled = Kallsyms.parse([lines[4], lines[0], lines[2], lines[1], lines[3]].join("\n"));
  assert.deepEqual([...shuffled.entries()].map((e) => e.name), ["a2", "a1", "b2", "b", "c"]);
  assert.deepEqual([...ordered.entries()].map((e) => e.name), ["a2", "a1", "b2", "b", "c"]);
  assert.equal(ordered.moduleOf(0xffffffff81001100n), shuffled.moduleOf(0xffffffff81001100n));
  assert.equal(Kallsyms.parse("1ffffffff81001000 T long_hex\n").lookup(0xffffffff81001000n)!.name, "long_hex");
});

test("Kallsyms.parse() of a reader (scanned a 64 KiB window at a time) equals the parse of the whole text", () => {
  // Lines across window ends, a line longer than the window, ties, modules, no newline at the end.
  const lines: string[] = [];
  for (let i = 0; i < 6000; i++) {
    const addr = (0xffffffff81000000n + BigInt(Math.floor(i / 3) * 16)).toString(16);
    lines.push(i % 997 === 5 ? `${addr} T long_${"x".repeat(70000)}` : `${addr} ${i % 5 === 0 ? "t" : "T"} fn_${i}${i % 7 === 0 ? "\t[mod" + (i % 3) + "]" : ""}`);
  }
  const text = Buffer.from(lines.join("\n"), "latin1");
  let reads = 0;
  const reader = {
    size: text.length,
    read(into: Uint8Array, at: number): void {
      reads++;
      into.set(text.subarray(at, at + into.length));
    },
  };
  const whole = Kallsyms.parse(new Uint8Array(text));
  const pieces = Kallsyms.parse(reader);
  assert.equal(pieces.size, whole.size);
  for (let i = 0; i < 6000; i += 7) {
    const addr = 0xffffffff81000000n + BigInt(Math.floor(i / 3) * 16) + 3n;
    assert.deepEqual(pieces.lookup(addr), whole.lookup(addr), `lookup ${addr.toString(16)}`);
    assert.equal(pieces.moduleOf(addr), whole.moduleOf(addr));
  }
  assert.ok(reads > text.length / 65536, "read in pieces");
  assert.deepEqual([...pieces.entries()], [...whole.entries()]);
});
