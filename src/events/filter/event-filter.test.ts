import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../../base/index.js";
import type { RawRecord } from "../../ringbuf/index.js";
import { EventTable } from "../event-format.js";
import { Kallsyms } from "../kallsyms.js";
import { TaskNames } from "../task-names.js";
import { compileEventFilter, pidFilterText } from "./event-filter.js";

// Format texts as a 6.18 x86_64 kernel prints them (/sys/kernel/tracing/events/.../format), with the
// print fmt shortened; irq_handler_entry has a __data_loc string, kmalloc pointer and long fields.
const COMMON = `	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;
`;
const SCHED_SWITCH = `name: sched_switch
ID: 372
format:
${COMMON}
	field:char prev_comm[16];	offset:8;	size:16;	signed:0;
	field:pid_t prev_pid;	offset:24;	size:4;	signed:1;
	field:int prev_prio;	offset:28;	size:4;	signed:1;
	field:long prev_state;	offset:32;	size:8;	signed:1;
	field:char next_comm[16];	offset:40;	size:16;	signed:0;
	field:pid_t next_pid;	offset:56;	size:4;	signed:1;
	field:int next_prio;	offset:60;	size:4;	signed:1;

print fmt: "prev_pid=%d next_pid=%d", REC->prev_pid, REC->next_pid
`;
const SCHED_WAKEUP = `name: sched_wakeup
ID: 374
format:
${COMMON}
	field:char comm[16];	offset:8;	size:16;	signed:0;
	field:pid_t pid;	offset:24;	size:4;	signed:1;
	field:int prio;	offset:28;	size:4;	signed:1;
	field:int target_cpu;	offset:32;	size:4;	signed:1;

print fmt: "pid=%d", REC->pid
`;
const IRQ_HANDLER_ENTRY = `name: irq_handler_entry
ID: 120
format:
${COMMON}
	field:int irq;	offset:8;	size:4;	signed:1;
	field:__data_loc char[] name;	offset:12;	size:4;	signed:0;

print fmt: "irq=%d name=%s", REC->irq, __get_str(name)
`;
const KMALLOC = `name: kmalloc
ID: 500
format:
${COMMON}
	field:unsigned long call_site;	offset:8;	size:8;	signed:0;
	field:const void * ptr;	offset:16;	size:8;	signed:0;
	field:size_t bytes_req;	offset:24;	size:8;	signed:0;
	field:u64 big;	offset:32;	size:8;	signed:0;

print fmt: "call_site=%lx", REC->call_site
`;

function makeTable(): EventTable {
  const table = new EventTable({ littleEndian: true, longSize: 8, kernelLongSize: 8 });
  assert.ok(table.addFormat(SCHED_SWITCH, "sched"));
  assert.ok(table.addFormat(SCHED_WAKEUP, "sched"));
  assert.ok(table.addFormat(IRQ_HANDLER_ENTRY, "irq"));
  assert.ok(table.addFormat(KMALLOC, "kmem"));
  return table;
}

/** A record whose payload is `size` bytes, filled in by `fill` through a little-endian DataView. */
function record(id: number, pid: number, size: number, fill: (v: DataView, buf: Uint8Array) => void, cpu = 0): RawRecord {
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  view.setUint16(0, id, true);
  view.setInt32(4, pid, true);
  fill(view, buf);
  return { buf, view, pos: 0, len: size, ts: 0, cpu, missedEvents: 0 };
}

function putString(buf: Uint8Array, at: number, s: string): void {
  for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i);
}

function sw(prev: { comm: string; pid: number; prio?: number; state?: bigint }, next: { comm: string; pid: number }, cpu = 0): RawRecord {
  return record(
    372,
    prev.pid,
    64,
    (v, buf) => {
      putString(buf, 8, prev.comm);
      v.setInt32(24, prev.pid, true);
      v.setInt32(28, prev.prio ?? 120, true);
      v.setBigInt64(32, prev.state ?? 0n, true);
      putString(buf, 40, next.comm);
      v.setInt32(56, next.pid, true);
      v.setInt32(60, 120, true);
    },
    cpu,
  );
}

function wakeup(comm: string, pid: number, targetCpu: number): RawRecord {
  return record(374, 7, 36, (v, buf) => {
    putString(buf, 8, comm);
    v.setInt32(24, pid, true);
    v.setInt32(28, 120, true);
    v.setInt32(32, targetCpu, true);
  });
}

function irq(n: number, name: string): RawRecord {
  return record(120, 0, 16 + name.length + 1, (v, buf) => {
    v.setInt32(8, n, true);
    v.setUint32(12, ((name.length + 1) << 16) | 16, true);
    putString(buf, 16, name);
  });
}

function kmalloc(callSite: bigint, ptr: bigint, bytes: bigint, big: bigint): RawRecord {
  return record(500, 1, 40, (v) => {
    v.setBigUint64(8, callSite, true);
    v.setBigUint64(16, ptr, true);
    v.setBigUint64(24, bytes, true);
    v.setBigUint64(32, big, true);
  });
}

const idleToBash = sw({ comm: "swapper/0", pid: 0 }, { comm: "bash", pid: 1181 });
const bashToKworker = sw({ comm: "bash", pid: 1181, prio: -1, state: 1n }, { comm: "kworker/0:1", pid: 40 }, 1);
const kworkerToIdle = sw({ comm: "kworker/0:1", pid: 40, state: 0x402n }, { comm: "swapper/0", pid: 0 });
const wake = wakeup("rcu_sched", 9, 2);
const timer = irq(16, "gp_timer");
const gpio = irq(47, "gpio-keys");
const alloc = kmalloc(0xffffffff81234567n, 0xffff888000001000n, 64n, 0x20000000000001n);
const ALL = { idleToBash, bashToKworker, kworkerToIdle, wake, timer, gpio, alloc };
type Name = keyof typeof ALL;

function kept(filters: string[], options: Parameters<typeof compileEventFilter>[2] = {}): Name[] {
  const match = compileEventFilter(makeTable(), filters, options);
  return (Object.keys(ALL) as Name[]).filter((k) => match(ALL[k]));
}

const cases: [filters: string[], expected: Name[]][] = [
  [["sched_switch"], ["idleToBash", "bashToKworker", "kworkerToIdle"]],
  [["sched"], ["idleToBash", "bashToKworker", "kworkerToIdle", "wake"]],
  [["SCHED/.*wake.*"], ["wake"]],
  [["irq/irq_handler_entry,sched_wakeup"], ["wake", "timer", "gpio"]],
  [["sched_switch", "kmalloc"], ["idleToBash", "bashToKworker", "kworkerToIdle", "alloc"]],
  // Equal precedence, left to right: (prev_pid==0 || next_pid==0) && prev_pid==40.
  [["sched_switch:prev_pid==0 || next_pid==0 && prev_pid==40"], ["kworkerToIdle"]],
  [["sched_switch:prev_pid==0 || (next_pid==0 && prev_pid==40)"], ["idleToBash", "kworkerToIdle"]],
  [["sched_switch:!prev_pid==0"], ["bashToKworker", "kworkerToIdle"]],
  [["sched_switch:prev_pid>1000||next_pid==40"], ["bashToKworker"]],
  [["sched_switch:next_pid>=40 && next_pid<=1181"], ["idleToBash", "bashToKworker"]],
  // Signed fields are sign-extended, then compared unsigned: -1 is the largest value.
  [["sched_switch:prev_prio > 1000"], ["bashToKworker"]],
  [["sched_switch:prev_prio == 0xffffffffffffffff"], ["bashToKworker"]],
  // `== -1` is `- 1` for libtraceevent 1.7.1: true for every prio but 1.
  [["sched_switch:prev_prio==-1"], ["idleToBash", "bashToKworker", "kworkerToIdle"]],
  [["sched_switch:prev_state & 2"], ["kworkerToIdle"]],
  [["sched_switch:prev_state & 0x400"], ["kworkerToIdle"]],
  [["sched_switch:prev_pid & 1"], ["bashToKworker"]],
  [["sched_switch:prev_pid + 1 "], ["idleToBash", "bashToKworker", "kworkerToIdle"]],
  [["sched_switch:prev_pid - 40"], ["idleToBash", "bashToKworker"]],
  [["sched_switch:prev_comm == \"bash\""], ["bashToKworker"]],
  [["sched_switch:next_comm != \"bash\""], ["bashToKworker", "kworkerToIdle"]],
  [["sched_switch:next_comm =~ \"^KWORKER/[0-9]:\""], ["bashToKworker"]],
  [["sched_switch:prev_comm !~ \"sw.*\""], ["bashToKworker", "kworkerToIdle"]],
  [["sched_switch:prev_comm =~ \"a+\""], []],
  [["irq_handler_entry:name == \"gpio-keys\""], ["gpio"]],
  [["irq_handler_entry:name =~ \"timer\""], ["timer"]],
  // A field the event lacks makes its comparison FALSE; the rest still decides.
  [["sched:prev_pid == 0 || pid == 9"], ["idleToBash", "wake"]],
  [["sched:!prev_pid == 1181"], ["idleToBash", "kworkerToIdle", "wake"]],
  [[".*:COMM == \"bash\""], ["bashToKworker"]],
  [[".*:COMM != \"<idle>\" && COMM != \"bash\""], ["kworkerToIdle", "wake", "alloc"]],
  [["sched:CPU == 1"], ["bashToKworker"]],
  [["sched:CPU == \"0x1\""], ["bashToKworker"]],
  // 64-bit values stay exact; pointers and longs compare as symbol names with strings.
  [["kmalloc:big == 0x20000000000001"], ["alloc"]],
  [["kmalloc:big == 0x20000000000000"], []],
  [["kmalloc:ptr > 0xffff888000000fff && ptr < 0xffff888000001001"], ["alloc"]],
  [["kmalloc:bytes_req >= 64"], ["alloc"]],
  [["kmalloc:call_site == \"kmem_cache_alloc\""], ["alloc"]],
  [["kmalloc:call_site =~ \"^kmem\""], ["alloc"]],
  [["kmalloc:bytes_req == \"0x40\""], ["alloc"]],
  // Numbers as text: "0x<hex>" for == and !=, but the regex sees "" (libtraceevent 1.7.1 passes a dead buffer).
  [["sched_switch:prev_pid == \"0x49d\""], ["bashToKworker"]],
  [["sched_switch:prev_pid =~ \".\""], []],
  [["sched_switch:prev_pid !~ \"zzz\""], ["idleToBash", "bashToKworker", "kworkerToIdle"]],
  // A char array or COMM as a number: a large aligned address for libtraceevent (trace-cmd agrees).
  [["sched_switch:prev_comm > 119"], ["idleToBash", "bashToKworker", "kworkerToIdle"]],
  [["sched_switch:prev_comm <= 119 || prev_comm & 1"], []],
  [["sched_switch:COMM - 8"], ["idleToBash", "bashToKworker", "kworkerToIdle"]],
  // Arithmetic on a string, or '~', fails the record even under '!' (libtraceevent evaluation error).
  [["sched_switch:prev_comm ~ \"b*\""], []],
  [["sched_switch:!(prev_pid & \"x\")"], []],
  [["sched_switch:prev_pid == 0 || next_pid & \"x\""], ["idleToBash"]],
  // Unless a constant FALSE beside it folds it away first, as collapse_tree() does.
  [["sched_switch:!(prev_pid & \"x\" && nosuch == 1)"], ["idleToBash", "bashToKworker", "kworkerToIdle"]],
];

for (const [filters, expected] of cases) {
  test(`compileEventFilter() ${JSON.stringify(filters)} keeps ${expected.join(", ") || "nothing"}`, () => {
    const tasks = TaskNames.parse("1181 bash\n40 kworker/0:1\n7 rcu_preempt\n");
    const kallsyms = Kallsyms.parse("ffffffff81234000 T kmem_cache_alloc\nffffffff81240000 T kfree\n");
    assert.deepEqual(kept(filters, { tasks, kallsyms }), expected);
  });
}

test("compileEventFilter() with invert keeps what no filter matches", () => {
  assert.deepEqual(kept(["sched_switch", "irq_handler_entry:irq==16"], { invert: true }), ["wake", "gpio", "alloc"]);
});

test("compileEventFilter() without tasks names pid 0 <idle> and others <...>", () => {
  assert.deepEqual(kept(["sched_switch:COMM == \"<...>\""]), ["bashToKworker", "kworkerToIdle"]);
  assert.deepEqual(kept(["sched_switch:COMM == \"<idle>\""]), ["idleToBash"]);
});

test("compileEventFilter() on a record too short for its fields reads zeros", () => {
  const match = compileEventFilter(makeTable(), ["sched_switch:next_pid == 0 && next_comm == \"\""]);
  const short = record(372, 1, 24, () => {});
  assert.equal(match(short), true);
});

const badFilters: [filter: string, message: string][] = [
  ["nosuch", "no event or system matches 'nosuch' at column 1"],
  ["sched_switch,nosuch/x:prev_pid==0", "no event or system matches 'nosuch/x' at column 14"],
  ["sched\\(:prev_pid==0", "bad event name pattern 'sched\\(': unmatched '\\(' at column 1"],
  ["sched_switch:prev_comm < \"k\"", "'<' cannot compare strings (use ==, !=, =~ or !~) at column 24"],
  ["sched_switch:prev_comm =~ \"[a\"", "bad regular expression \"[a\": unmatched '[' at column 27"],
];

for (const [filter, message] of badFilters) {
  test(`compileEventFilter() rejects '${filter}': ${message}`, () => {
    assert.throws(
      () => compileEventFilter(makeTable(), [filter]),
      (e: unknown) => e instanceof UsageError && e.message === `bad filter '${filter}': ${message}`,
    );
  });
}

test("compileEventFilter() only checks string operators on events that have the field", () => {
  // prev_comm exists in sched_switch only: sched_wakeup makes the comparison FALSE without complaint.
  assert.deepEqual(kept(["sched_wakeup:prev_comm < \"k\" || pid == 9"]), ["wake"]);
});

test("compileEventFilter() compares a char array that fills its field (no NUL) in full", () => {
  const full = sw({ comm: "abcdefghijklmnop", pid: 5 }, { comm: "x", pid: 6 });
  const table = makeTable();
  assert.equal(compileEventFilter(table, ['sched_switch:prev_comm == "abcdefghijklmnop"'])(full), true);
  assert.equal(compileEventFilter(table, ['sched_switch:prev_comm == "abcdefghijklmno"'])(full), false);
  assert.equal(compileEventFilter(table, ['sched_switch:prev_comm != "abcdefghijklmnopq"'])(full), true);
  assert.equal(compileEventFilter(table, ['sched_switch:next_comm == "x"'])(full), true);
  assert.equal(compileEventFilter(table, ['sched_switch:next_comm == ""'])(full), false);
});

test("pidFilterText() builds trace-cmd's --pid filter: the pid as common_pid, pid or next_pid", () => {
  assert.equal(pidFilterText(["1181"]), ".*:(common_pid==1181)||(pid==1181)||(next_pid==1181)");
  assert.deepEqual(kept([pidFilterText(["1181", "9"])]), ["idleToBash", "bashToKworker", "wake"]);
});
