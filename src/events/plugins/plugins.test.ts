// Plugins on synthetic records; the expected texts were checked against trace-cmd 3.1.6 on a synthetic
// trace.dat with the same formats and payloads.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EventTable } from "../event-format.js";
import { EventPrinter, type PrinterOptions } from "../event-printer.js";
import { Kallsyms } from "../kallsyms.js";
import { PrintkFormats } from "../printk-formats.js";
import { TaskNames } from "../task-names.js";
import { formatText, LE64, RecordBuilder } from "../test-records.js";
import { EventTable as Table } from "../event-format.js";

const KALLSYMS = Kallsyms.parse("ffffffff81001000 T do_one\nffffffff81001100 T do_two\nffffffff81002000 T schedule\n");

function table(system: string, name: string, id: number, fields: string[], pf = '"x"'): EventTable {
  const t = new Table(LE64);
  t.addFormat(formatText(name, id, fields, pf), system);
  return t;
}

function printer(t: EventTable, tasks = TaskNames.parse(""), options: Partial<PrinterOptions> = {}): EventPrinter {
  return new EventPrinter(t, { kallsyms: KALLSYMS, printk: PrintkFormats.empty(), tasks }, { plugins: true, ...options });
}

const SW = ["field:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;", "field:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;", "field:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;", "field:long prev_state;\toffset:32;\tsize:8;\tsigned:1;", "field:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;", "field:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;", "field:int next_prio;\toffset:60;\tsize:4;\tsigned:1;"];

test("sched_switch plugin prints comm:pid [prio] state and registers both comms", () => {
  const tasks = TaskNames.parse("1234 oldname\n");
  const p = printer(table("sched", "sched_switch", 300, SW), tasks);
  const b = new RecordBuilder(64, 300).str(8, "bash").u32(24, 1234).u32(28, 120).u64(32, 1n).str(40, "sleep").u32(56, 2000).u32(60, 100);
  assert.equal(p.text(b.record()), "bash:1234 [120] S ==> sleep:2000 [100]");
  assert.equal(tasks.comm(2000), "sleep");
  assert.equal(tasks.comm(1234), "oldname", "existing entries are kept");
  b.u64(32, 0x80n);
  assert.equal(p.text(b.record()), "bash:1234 [120] W ==> sleep:2000 [100]");
  b.u64(32, 0x100n);
  assert.equal(p.text(b.record()), "bash:1234 [120] R ==> sleep:2000 [100]", "bits above 7 are ignored");
  b.u64(32, 3n);
  assert.equal(p.text(b.record()), "bash:1234 [120] S|D ==> sleep:2000 [100]");
});

test("sched_switch without plugins uses the print fmt", () => {
  const t = table("sched", "sched_switch", 300, SW, '"prev_comm=%s prev_pid=%d", REC->prev_comm, REC->prev_pid');
  const p = new EventPrinter(t, { kallsyms: KALLSYMS, printk: PrintkFormats.empty(), tasks: TaskNames.parse("") }, { plugins: false });
  const b = new RecordBuilder(64, 300).str(8, "bash").u32(24, 1234);
  assert.equal(p.text(b.record()), "prev_comm=bash prev_pid=1234");
});

test("sched_wakeup plugin prints comm:pid [prio] CPU:nnn", () => {
  const f = ["field:char comm[16];\toffset:8;\tsize:16;\tsigned:0;", "field:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;", "field:int prio;\toffset:28;\tsize:4;\tsigned:1;", "field:int target_cpu;\toffset:32;\tsize:4;\tsigned:1;"];
  const tasks = TaskNames.parse("");
  const p = printer(table("sched", "sched_wakeup", 301, f), tasks);
  const b = new RecordBuilder(40, 301).str(8, "kworker/0:1").u32(24, 11).u32(28, 120).u32(32, 3);
  assert.equal(p.text(b.record()), "kworker/0:1:11 [120] CPU:003");
  assert.equal(tasks.comm(11), "kworker/0:1");
});

const FN = ["field:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;", "field:unsigned long parent_ip;\toffset:16;\tsize:8;\tsigned:0;"];

test("function plugin indents by the per-CPU call stack and honours parent/offset/indent", () => {
  const t = table("ftrace", "function", 1, FN);
  const rec = (ip: bigint, parent: bigint, cpu = 0) => new RecordBuilder(24, 1).u64(8, ip).u64(16, parent).record(cpu);
  const p = printer(t);
  assert.equal(p.text(rec(0xffffffff81001000n, 0xffffffff81002000n)), "do_one");
  assert.equal(p.text(rec(0xffffffff81001100n, 0xffffffff81001000n)), "   do_two");
  assert.equal(p.text(rec(0xffffffff81001100n, 0xffffffff81001000n, 1)), "do_two", "stacks are per CPU");
  assert.equal(p.text(rec(0x1234n, 0xffffffff81001000n)), "   0x1234");
  const opts = printer(t, TaskNames.parse(""), { pluginOptions: new Map([["parent", true], ["ftrace:offset", true]]) });
  assert.equal(opts.text(rec(0xffffffff81001010n, 0xffffffff81002000n)), "do_one+0x10  <-- schedule+0x0 ");
  const flat = printer(t, TaskNames.parse(""), { pluginOptions: new Map([["indent", "0"]]) });
  flat.text(rec(0xffffffff81001000n, 0xffffffff81002000n));
  assert.equal(flat.text(rec(0xffffffff81001100n, 0xffffffff81001000n)), "do_two");
});

test("kernel_stack plugin prints one frame per long up to -1, last symbol only exact", () => {
  const t = table("ftrace", "kernel_stack", 4, ["field:int size;\toffset:8;\tsize:4;\tsigned:1;", "field:unsigned long caller[8];\toffset:16;\tsize:64;\tsigned:0;"]);
  const b = new RecordBuilder(56, 4).u32(8, 3).u64(16, 0xffffffff81002033n).u64(24, 0xffffffff81001010n).u64(32, 0xffffffff99999999n).u64(40, -1n);
  assert.equal(printer(t).text(b.record()), "<stack trace >\n=> ffffffff81002033\n=> do_one (ffffffff81001010)\n=> ffffffff99999999\n");
  const off = printer(t, TaskNames.parse(""), { pluginOptions: new Map([["offset", true]]) });
  assert.match(off.text(b.record()), /=> do_one\+0x10  \(ffffffff81001010\)/);
});

test("kmem plugin prefixes (func+0xoff) to the print fmt output", () => {
  const t = table("kmem", "kfree", 400, ["field:unsigned long call_site;\toffset:8;\tsize:8;\tsigned:0;", "field:const void * ptr;\toffset:16;\tsize:8;\tsigned:0;"], '"call_site=%pS ptr=%p", (void *)REC->call_site, REC->ptr');
  const b = new RecordBuilder(24, 400).u64(8, 0xffffffff8100102an);
  assert.equal(printer(t).text(b.record()), "(do_one+0x2a) call_site=do_one+0x2a ptr=(nil)");
  b.u64(8, 0x10n);
  assert.equal(printer(t).text(b.record()), "call_site=0x10 ptr=(nil)");
});

test("hrtimer, tlb and futex plugins", () => {
  const hs = table("timer", "hrtimer_start", 410, ["field:void * hrtimer;\toffset:8;\tsize:8;\tsigned:0;", "field:void * function;\toffset:16;\tsize:8;\tsigned:0;", "field:s64 expires;\toffset:24;\tsize:8;\tsigned:1;", "field:s64 softexpires;\toffset:32;\tsize:8;\tsigned:1;"]);
  const r1 = new RecordBuilder(40, 410).u64(8, 0xffff888000001000n).u64(16, 0xffffffff81002000n).u64(24, 5000000n).u64(32, 4000000n).record();
  assert.equal(printer(hs).text(r1), "hrtimer=0xffff888000001000 function=schedule/0x0 expires=5000000 softexpires=4000000");
  const tlb = table("tlb", "tlb_flush", 420, ["field:int reason;\toffset:8;\tsize:4;\tsigned:1;", "field:unsigned long pages;\toffset:16;\tsize:8;\tsigned:0;"]);
  assert.equal(printer(tlb).text(new RecordBuilder(24, 420).u32(8, 1).u64(16, 3n).record()), "pages=3 reason=remote shootdown (1)");
  const fx = table("syscalls", "sys_enter_futex", 430, ["int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;", "u32 * uaddr;\toffset:16;\tsize:8;\tsigned:0;", "int op;\toffset:24;\tsize:8;\tsigned:0;", "u32 val;\toffset:32;\tsize:8;\tsigned:0;", "const struct __kernel_timespec * utime;\toffset:40;\tsize:8;\tsigned:0;", "u32 * uaddr2;\toffset:48;\tsize:8;\tsigned:0;", "u32 val3;\toffset:56;\tsize:8;\tsigned:0;"].map((f) => "field:" + f));
  const r3 = new RecordBuilder(64, 430).u64(16, 0x7ffd1000n).u64(24, 137n).u64(32, 1n).u64(40, 0x1000n).u64(56, 0xffffffffn).record();
  assert.equal(printer(fx).text(r3), "op=FUTEX_WAIT_BITSET|FUTEX_PRIVATE_FLAG uaddr=0x7ffd1000 val=0x00000001 utime=0x00001000 val3=0xffffffff");
  // A record that ends inside op: libtraceevent's plugin gives up and the print fmt shows the record.
  const short = new RecordBuilder(27, 430).u64(16, 0x7ffd1000n).u8(24, 0x1a).record();
  assert.doesNotMatch(printer(fx).text(short), /^op=FUTEX_WAIT /);
});

test("disabledHandlers (report -n) keeps the print fmt for matching events", () => {
  const t = table("tlb", "tlb_flush", 420, ["field:int reason;\toffset:8;\tsize:4;\tsigned:1;", "field:unsigned long pages;\toffset:16;\tsize:8;\tsigned:0;"], '"pages:%ld reason:%d", REC->pages, REC->reason');
  const p = printer(t, TaskNames.parse(""), { disabledHandlers: /tlb/ });
  assert.equal(p.text(new RecordBuilder(24, 420).u32(8, 1).u64(16, 3n).record()), "pages:3 reason:1");
});

test("kvm plugin: exit reasons by ISA, entry, mmu page roles", () => {
  const exit = table("kvm", "kvm_exit", 440, ["field:unsigned int exit_reason;\toffset:8;\tsize:4;\tsigned:0;", "field:unsigned long guest_rip;\toffset:16;\tsize:8;\tsigned:0;", "field:u32 isa;\toffset:24;\tsize:4;\tsigned:0;", "field:u64 info1;\toffset:32;\tsize:8;\tsigned:0;", "field:u64 info2;\toffset:40;\tsize:8;\tsigned:0;"]);
  const rec = (reason: number, isa: number) => new RecordBuilder(48, 440).u32(8, reason).u64(16, 0x400000n).u32(24, isa).u64(32, 0x1234n).record();
  assert.equal(printer(exit).text(rec(30, 1)), "reason IO_INSTRUCTION rip 0x400000 info 1234 0");
  assert.equal(printer(exit).text(rec(0x7b, 2)), "reason EXIT_IOIO rip 0x400000 info 1234 0");
  assert.equal(printer(exit).text(rec(999, 1)), "reason UNKNOWN (999) rip 0x400000 info 1234 0");
  assert.equal(printer(exit).text(rec(3, 7)), "reason UNKNOWN-ISA rip 0x400000 info 1234 0");
  const mmu = table("kvmmmu", "kvm_mmu_get_page", 441, ["field:__u64 gfn;\toffset:16;\tsize:8;\tsigned:0;", "field:__u32 role;\toffset:24;\tsize:4;\tsigned:0;", "field:__u32 root_count;\toffset:28;\tsize:4;\tsigned:0;", "field:bool unsync;\toffset:32;\tsize:1;\tsigned:0;", "field:bool created;\toffset:33;\tsize:1;\tsigned:0;"]);
  const r = new RecordBuilder(40, 441).u64(16, 0xabcn).u32(24, 0x0300b1 | (1 << 24) | (1 << 11) | (1 << 13)).u32(28, 2).u8(32, 1).u8(33, 1).record();
  assert.equal(printer(mmu).text(r), "new sp gfn abc 1 q1 direct --- invalid pae !nxe wp smm root 2 unsync");
});

test("mac80211 bss_info_changed reads only the record: a location past its end is no crash", () => {
  const t = table("mac80211", "drv_bss_info_changed", 450, ["field:__data_loc char[] wiphy_name;\toffset:8;\tsize:4;\tsigned:0;", "field:__data_loc char[] vif_name;\toffset:12;\tsize:4;\tsigned:0;"]);
  // A 14-byte record: wiphy_name at 12 (3 bytes, cut by the record end); the vif_name field itself is cut.
  const rec = new RecordBuilder(14, 450).u32(8, (3 << 16) | 12).str(12, "ph").record();
  assert.match(printer(t).text(rec), /^ph vif:CAN.T FIND FIELD "vif_type"\n/);
});
