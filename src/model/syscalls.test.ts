import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { TraceEvent } from "../report/index.js";
import { openTrace } from "../tracedat/index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { traceCmdReport } from "../test-support/trace-cmd.js";
import { SyscallPairer, readSyscalls, syscallSteps, type SyscallSlice, type SyscallStep } from "./syscalls.js";

/** A raw_syscalls event as readEvents yields it with `arrays: true`. */
function raw(ts: number, tid: number, dir: "enter" | "exit", id: number, v: bigint | bigint[], cpu = 0): TraceEvent {
  const ev: TraceEvent = { ts: BigInt(ts), cpu, pid: tid, comm: `t${tid}`, system: "raw_syscalls", name: `sys_${dir}`, fields: { id: BigInt(id) } };
  if (dir === "enter") ev.arrays = { args: v as bigint[] };
  else ev.fields["ret"] = v as bigint;
  return ev;
}

/** A syscalls:sys_enter_NAME / sys_exit_NAME event. */
function per(ts: number, tid: number, name: string, nr: number, f: Record<string, bigint>): TraceEvent {
  return { ts: BigInt(ts), cpu: 1, pid: tid, comm: `t${tid}`, system: "syscalls", name, fields: { __syscall_nr: nr, ...f } };
}

async function steps(events: TraceEvent[], options = {}): Promise<SyscallStep[]> {
  const out: SyscallStep[] = [];
  for await (const s of syscallSteps(events, options)) out.push(s);
  return out;
}

test("syscallSteps() pairs raw_syscalls entries and exits per thread, across interleaving", async () => {
  const args = [3n, 0x1000n, 10n, 0n, 0n, 0n];
  const got = await steps(
    [
      raw(100, 7, "enter", 0, args),
      raw(150, 8, "enter", 1, [1n, 0n, 0n, 0n, 0n, 0n], 1),
      raw(170, 8, "exit", 1, 5n, 1),
      raw(200, 7, "exit", 0, -2n, 1),
    ],
    { syscallName: (nr: number) => ["read", "write"][nr], tgidOf: (tid: number) => (tid === 8 ? 7 : tid) },
  );
  assert.deepEqual(
    got.map((s) => `${s.kind} ${s.call.tid} ${s.call.name}`),
    ["enter 7 read", "enter 8 write", "exit 8 write", "exit 7 read"],
  );
  const read = got[3]!.call;
  assert.equal(read.ts, 100n);
  assert.equal(read.dur, 100n);
  assert.equal(read.durNs, 100);
  assert.equal(read.ret, -2n);
  assert.deepEqual(read.args, args);
  assert.equal(read.cpu, 0);
  assert.equal(read.exitCpu, 1);
  assert.equal(read.argNames, undefined);
  assert.equal(read.enterMissing || read.exitMissing, false);
  assert.equal(got[2]!.call.tgid, 7);
  // The entry step's object is not changed by the exit.
  assert.equal(got[0]!.call.dur, undefined);
  assert.equal(got[0]!.call.exitMissing, true);
});

test("syscallSteps() names syscalls:* calls from the event and keeps their argument names", async () => {
  const got = await steps([
    per(10, 5, "sys_enter_openat", 257, { dfd: -100n, filename: 0x55d0n, flags: 0x80000n, mode: 0n }),
    per(30, 5, "sys_exit_openat", 257, { ret: 3n }),
  ]);
  const c = got[1]!.call;
  assert.equal(c.name, "openat");
  assert.equal(c.nr, 257);
  assert.deepEqual(c.argNames, ["dfd", "filename", "flags", "mode"]);
  assert.deepEqual(c.args, [0xffffffffffffff9cn, 0x55d0n, 0x80000n, 0n]);
  assert.equal(c.ret, 3n);
  assert.equal(c.dur, 20n);
});

test("syscallSteps() reports missing entries, lost exits and calls open at the end", async () => {
  const z = [0n, 0n, 0n, 0n, 0n, 0n];
  const got = await steps([
    raw(5, 1, "exit", 61, 0n), // began before the trace
    raw(10, 2, "enter", 231, z), // exit_group: never returns
    raw(20, 3, "enter", 0, z),
    raw(30, 3, "enter", 1, z), // the read's exit was lost
    raw(40, 3, "exit", 1, 1n),
    raw(50, 4, "enter", 0, z),
    raw(60, 4, "exit", 3, 0n), // another call's exit: both ends lost
  ]);
  assert.deepEqual(
    got.map((s) => `${s.kind} ${s.call.tid} ${s.call.name} ${s.call.enterMissing ? "E" : "-"}${s.call.exitMissing ? "X" : "-"}`),
    [
      "exit 1 syscall_61 E-",
      "enter 2 syscall_231 -X",
      "enter 3 syscall_0 -X",
      "unfinished 3 syscall_0 -X",
      "enter 3 syscall_1 -X",
      "exit 3 syscall_1 --",
      "enter 4 syscall_0 -X",
      "unfinished 4 syscall_0 -X",
      "exit 4 syscall_3 E-",
      "unfinished 2 syscall_231 -X",
    ],
  );
  assert.equal(got[0]!.call.ts, 5n);
  assert.equal(got[0]!.call.dur, undefined);
  assert.equal(got[0]!.call.ret, 0n);
  assert.deepEqual(got[0]!.call.args, []);
});

test("SyscallPairer with source 'auto' pairs the first system seen and ignores the other and non-syscall events", () => {
  const seen: SyscallStep[] = [];
  const p = new SyscallPairer((s) => seen.push(s));
  p.add(per(10, 5, "sys_enter_close", 3, { fd: 4n }));
  p.add(raw(10, 5, "enter", 3, [4n, 0n, 0n, 0n, 0n, 0n]));
  p.add({ ts: 15n, cpu: 0, pid: 5, comm: "x", system: "sched", name: "sched_switch", fields: {} });
  assert.equal(p.openCount, 1);
  p.add(raw(20, 5, "exit", 3, 0n));
  p.add(per(20, 5, "sys_exit_close", 3, { ret: 0n }));
  p.finish();
  assert.deepEqual(seen.map((s) => s.kind), ["enter", "exit"]);
  assert.equal(p.openCount, 0);
});

test("SyscallPairer.forCalls() hands the same kinds and calls, in the same order, as the step form", () => {
  const z = [0n, 0n, 0n, 0n, 0n, 0n];
  const events = [
    raw(10, 5, "enter", 0, z), raw(12, 6, "enter", 1, z), raw(15, 5, "exit", 0, 3n), raw(16, 6, "exit", 1, -9n),
    raw(20, 5, "enter", 3, z), raw(25, 7, "exit", 0, 1n), raw(30, 5, "enter", 0, z),
  ];
  const steps: SyscallStep[] = [];
  const calls: [string, SyscallSlice][] = [];
  const a = new SyscallPairer((s) => steps.push(s));
  const b = SyscallPairer.forCalls((kind, call) => calls.push([kind, call]));
  for (const ev of events) {
    a.add(ev);
    b.add(ev);
  }
  a.finish();
  b.finish();
  const show = (kind: string, c: SyscallSlice): string => `${kind} ${c.tid} ${c.nr} ${c.ts} ${c.dur} ${c.ret} ${c.enterMissing} ${c.exitMissing}`;
  assert.deepEqual(calls.map(([k, c]) => show(k, c)), steps.map((s) => show(s.kind, s.call)));
  assert.equal(calls.length, 9);
});

test("SyscallPairer keeps a thread's open call while the states of thousands of threads between calls are dropped", () => {
  const z = [0n, 0n, 0n, 0n, 0n, 0n];
  const done: SyscallSlice[] = [];
  const p = SyscallPairer.forCalls((kind, call) => void (kind === "exit" && done.push(call)));
  p.add(raw(1, 1, "enter", 0, z));
  for (let t = 0; t < 10_000; t++) {
    p.add(raw(10 + 2 * t, 100 + t, "enter", 1, z));
    p.add(raw(11 + 2 * t, 100 + t, "exit", 1, 1n));
  }
  p.add(raw(30_000, 1, "exit", 0, 5n));
  const last = done.at(-1)!;
  assert.deepEqual([done.length, last.tid, last.enterMissing, last.dur, last.ret], [10_001, 1, false, 29_999n, 5n]);
  assert.equal(p.openCount, 0);
});

const skip = skipWithoutShared();
const BENCH = (): string => join(sharedDir()!, "fixtures", "bench", "lab-v7-zstd-x86_64-funcgraph-sched-syscalls-418k.dat");
const LINE = /^\s*(.*)-(\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+): (sys_enter|sys_exit)_(\w+):\s*(.*)$/;

test("readSyscalls() agrees with trace-cmd report on a lab recording (syscalls:* events)", { skip }, async () => {
  const run = await traceCmdReport(["-F", "syscalls", BENCH()], (out) => out.includes("sys_exit_"));
  const lines = run.stdout.split("\n").map((l) => LINE.exec(l)).filter((m) => m !== null);
  assert.ok(lines.length > 3000, `${lines.length} syscall lines`);
  const trace = await openTrace(BENCH());
  const slices: SyscallSlice[] = [];
  try {
    for await (const s of readSyscalls(trace)) slices.push(s);
  } finally {
    await trace.close();
  }
  // The report rounds to microseconds.
  const us = (t: bigint): string => {
    const u = (t + 500n) / 1000n;
    return `${u / 1000000n}.${String(u % 1000000n).padStart(6, "0")}`;
  };
  const key = (tid: number, cpu: number, t: bigint, dir: string, name: string): string => `${tid} ${cpu} ${us(t)} ${dir} ${name}`;
  // Every entry and exit the report shows is the end of exactly one slice, with its values.
  const ends = new Map<string, { s: SyscallSlice; exit: boolean }>();
  for (const s of slices) {
    if (!s.enterMissing) ends.set(key(s.tid, s.cpu, s.ts, "sys_enter", s.name), { s, exit: false });
    if (!s.exitMissing) ends.set(key(s.tid, s.exitCpu!, s.ts + (s.dur ?? 0n), "sys_exit", s.name), { s, exit: true });
  }
  const prevOfTid = new Map<number, string>();
  for (const m of lines) {
    const [, , tid, cpu, sec, usec, dir, name, rest] = m;
    const k = `${tid} ${Number(cpu)} ${sec}.${usec} ${dir} ${name}`;
    const end = ends.get(k);
    assert.ok(end !== undefined, `no slice ends at: ${m[0]}`);
    ends.delete(k);
    if (end.exit) {
      assert.equal(BigInt.asUintN(64, end.s.ret!), BigInt(rest!.trim()), m[0]);
      // A paired exit follows its own entry: the thread's previous syscall line is that entry.
      if (!end.s.enterMissing) assert.equal(prevOfTid.get(Number(tid)), `sys_enter ${name}`, m[0]);
    } else {
      const shown = [...rest!.matchAll(/(\w+): 0x([0-9a-f]+)/g)];
      assert.deepEqual(end.s.argNames, shown.map((a) => a[1]), m[0]);
      shown.forEach((a, i) => {
        const v = BigInt("0x" + a[2]);
        assert.equal(v <= 0xffffffffn ? BigInt.asUintN(32, end.s.args[i]!) : end.s.args[i], v, m[0]);
      });
    }
    prevOfTid.set(Number(tid), `${dir} ${name}`);
  }
  assert.equal(ends.size, 0, `slice ends the report does not show: ${[...ends.keys()].slice(0, 3).join("; ")}`);
  const open = slices.filter((s) => s.exitMissing);
  assert.ok(open.some((s) => s.name === "exit_group"), "exit_group never returns");
  assert.ok(slices.filter((s) => !s.enterMissing && !s.exitMissing).length > 1400);
});

test("syscallSteps() joins a thread's user strings to its next entry, only where the pointer matches", async () => {
  const str = (ts: number, tid: number, f: Record<string, bigint | string>): TraceEvent => ({
    ts: BigInt(ts), cpu: 0, pid: tid, comm: `t${tid}`, system: "ftk_strings", name: "openat64", fields: f,
  });
  const z = (a: bigint, b: bigint): bigint[] => [0xffffff9cn, a, b, 0n, 0n, 0n];
  const got = await steps(
    [
      str(1, 7, { p0: 0x1000n, s0: "/etc/passwd" }),
      str(2, 8, { p0: 0x1000n, s0: "/other/thread" }),
      raw(3, 7, "enter", 257, z(0x1000n, 0n)),
      raw(4, 7, "exit", 257, 3n),
      raw(5, 7, "enter", 257, z(0x1000n, 0n)), // no fresh string: the old one must not be reused
      raw(6, 7, "exit", 257, 4n),
      str(7, 7, { p0: 0x2000n, s0: "/a", p1: 0x3000n, s1: "/b" }),
      raw(8, 7, "enter", 82, [0x2000n, 0x3000n, 0n, 0n, 0n, 0n]),
      raw(9, 7, "exit", 82, 0n),
      str(10, 7, { p0: 0x4000n, s0: "/wrong" }),
      raw(11, 7, "enter", 257, z(0x5000n, 0n)), // pointer differs: no string
      raw(12, 7, "exit", 257, 5n),
    ],
    { stringSystem: "ftk_strings" },
  );
  const exits = got.filter((s) => s.kind === "exit").map((s) => s.call.strings);
  assert.deepEqual(exits[0], [undefined, "/etc/passwd", undefined, undefined, undefined, undefined]);
  assert.equal(exits[1], undefined);
  assert.deepEqual(exits[2]?.slice(0, 2), ["/a", "/b"]);
  assert.equal(exits[3], undefined);
});

test("syscallSteps() joins strings read during a call (kprobes) to that call's exit slice, by pointer", async () => {
  const str = (ts: number, tid: number, f: Record<string, bigint | string>): TraceEvent => ({
    ts: BigInt(ts), cpu: 0, pid: tid, comm: `t${tid}`, system: "ftk_strings", name: "getname_flags", fields: f,
  });
  const got = await steps(
    [
      raw(1, 7, "enter", 82, [0x2000n, 0x3000n, 0n, 0n, 0n, 0n]),
      str(2, 7, { p0: 0x2000n, s0: "/old" }),
      str(3, 7, { p0: 0x3000n, s0: "/new" }),
      str(4, 7, { p0: 0x9000n, s0: "/not/an/argument" }),
      raw(5, 7, "exit", 82, 0n),
      raw(6, 7, "enter", 87, [0x2000n, 0n, 0n, 0n, 0n, 0n]), // the old strings do not carry over
      raw(7, 7, "exit", 87, 0n),
    ],
    { stringSystem: "ftk_strings" },
  );
  const exits = got.filter((s) => s.kind === "exit").map((s) => s.call.strings);
  assert.deepEqual(exits[0], ["/old", "/new", undefined, undefined, undefined, undefined]);
  assert.equal(exits[1], undefined);
  assert.equal(got[0]!.call.strings, undefined, "the entry step's object is left as it was");
});

test("syscallSteps() gives no string for a fetch that faulted, and keeps a real empty one", async () => {
  const str = (ts: number, f: Record<string, bigint | string>, faulted?: string[]): TraceEvent => ({
    ts: BigInt(ts), cpu: 0, pid: 7, comm: "t7", system: "ftk_strings", name: "getname", fields: f, ...(faulted ? { faulted } : {}),
  });
  const got = await steps(
    [
      raw(1, 7, "enter", 89, [0x2000n, 0x3000n, 4096n, 0n, 0n, 0n]), // readlink("/proc/self/exe", ...)
      str(2, { p0: 0x2000n, s0: "" }, ["s0"]), // the kernel could not read the page: no bytes at all
      raw(3, 7, "exit", 89, 12n),
      raw(4, 7, "enter", 262, [3n, 0x4000n, 0x5000n, 0x1000n, 0n, 0n]), // newfstatat(3, "", ..., AT_EMPTY_PATH)
      str(5, { p0: 0x4000n, s0: "" }),
      raw(6, 7, "exit", 262, 0n),
    ],
    { stringSystem: "ftk_strings" },
  );
  const exits = got.filter((s) => s.kind === "exit").map((s) => s.call.strings);
  assert.equal(exits[0], undefined);
  assert.deepEqual(exits[1]?.slice(0, 2), [undefined, ""]);
});

test("syscallSteps() pairs an exit numbered -1 with the thread's open call (rt_sigreturn clears the number)", async () => {
  const got = await steps([
    raw(1, 7, "enter", 15, [0n, 0n, 0n, 0n, 0n, 0n]),
    raw(2, 7, "exit", -1, 155n), // the return value of the call the signal interrupted
  ], { syscallName: (nr: number) => (nr === 15 ? "rt_sigreturn" : undefined) });
  assert.deepEqual(got.map((s) => [s.kind, s.call.name, s.call.ret, s.call.enterMissing]), [["enter", "rt_sigreturn", undefined, false], ["exit", "rt_sigreturn", 155n, false]]);
});

test("addRecord() reads raw_syscalls records: a repeated call shares its arguments array, a changed argument or number does not, returns exact", () => {
  // A made-up 64-bit layout: common_type at 0, id at 8, args at 16 (enter) / ret at 16 (exit).
  const layout = { le: true, enterId: 21, exitId: 22, enterNr: 8, argsAt: 16, argCount: 6, exitNr: 8, retAt: 16 };
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  const rec = { buf: bytes, view, pos: 0, len: 64, ts: 0, cpu: 0, missedEvents: 0 };
  const steps: SyscallStep[] = [];
  const p = new SyscallPairer((s) => steps.push(s), { syscallName: (nr) => ["read", "write"][nr] });
  const call = (ts: number, nr: number, args: bigint[], ret: bigint): void => {
    rec.ts = ts;
    view.setUint16(0, 21, true);
    view.setBigInt64(8, BigInt(nr), true);
    args.forEach((a, k) => view.setBigUint64(16 + 8 * k, a, true));
    assert.equal(p.addRecord(rec, layout, 7, "t7"), true);
    rec.ts = ts + 1;
    view.setUint16(0, 22, true);
    view.setBigInt64(16, ret, true);
    assert.equal(p.addRecord(rec, layout, 7, "t7"), true);
  };
  const big = 0xffff_ffff_ffff_fff0n;
  call(10, 0, [0n, 0x5555n, 1n, 0n, 0n, 0n], 1n);
  call(20, 1, [1n, 0x5555n, 1n, 0n, 0n, 0n], 1n);
  call(30, 0, [0n, 0x5555n, 1n, 0n, 0n, 0n], 0n);
  call(40, 0, [0n, 0x5555n, 2n, 0n, 0n, big], -11n);
  call(50, 0, [0n, 0x5555n, 2n, 0n, 0n, big], 0x7f00_0000_1000n);
  const exits = steps.filter((s) => s.kind === "exit").map((s) => s.call);
  assert.deepEqual(exits.map((c) => [c.name, c.args, c.ret, c.dur]), [
    ["read", [0n, 0x5555n, 1n, 0n, 0n, 0n], 1n, 1n],
    ["write", [1n, 0x5555n, 1n, 0n, 0n, 0n], 1n, 1n],
    ["read", [0n, 0x5555n, 1n, 0n, 0n, 0n], 0n, 1n],
    ["read", [0n, 0x5555n, 2n, 0n, 0n, big], -11n, 1n],
    ["read", [0n, 0x5555n, 2n, 0n, 0n, big], 0x7f00_0000_1000n, 1n],
  ]);
  assert.deepEqual(exits.map((c) => [c.ts, c.durNs]), [[10n, 1], [20n, 1], [30n, 1], [40n, 1], [50n, 1]]);
  assert.equal(exits[2]!.args, exits[0]!.args, "the repeated read shares its array");
  assert.notEqual(exits[3]!.args, exits[0]!.args, "a changed argument makes a new one");
  assert.equal(p.openCount, 0);
});
