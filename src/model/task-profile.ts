// The per-task profile of `trace-cmd report --profile` 3.1.6: pairs start and end events per task (a
// switch-out with the wakeup and the switch-in, irq/softirq/syscall/function_graph entry with its exit,
// user hooks) into counts and times, and attaches the kernel stack that follows an event to it.
// The rules follow trace-cmd's trace-profile.c so that the numbers agree; the text is in profile/.
import { FtkError } from "../base/index.js";
import type { EventFormat, EventTable, FieldDef } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import { traceHash } from "../report/index.js";
import type { ProfileHook } from "./profile-hook.js";

/** A field value: a number when exact, else a bigint (64-bit addresses). */
export type ProfileValue = number | bigint;

/** What an event is to the profile; decides its handler, its text and its place in a task's list. */
export type ProfileEventKind =
  | "other"
  | "stack"
  | "sched-switch"
  | "wakeup"
  | "func"
  | "syscall"
  | "irq"
  | "softirq"
  | "softirq-raise"
  | "exec"
  | "hook";

type Reader = (rec: RawRecord) => ProfileValue | undefined;

/** One event the profile knows, with the fields that pair it. */
export interface ProfileEvent {
  readonly id: number;
  readonly format: EventFormat;
  readonly kind: ProfileEventKind;
  /** The start event this event ends, and the end event of a pair this event starts. */
  start: ProfileEvent | undefined;
  end: ProfileEvent | undefined;
  /** Field naming the task (instead of common_pid), match fields, and the value field. */
  pid: Reader | undefined;
  startMatch: Reader | undefined;
  endMatch: Reader | undefined;
  data: Reader | undefined;
  /** The pair may start and end on different CPUs; the pair is not per task (with -G). */
  migrate: boolean;
  global: boolean;
  /** The text of the value is a function name (function, function_graph). */
  funcName: boolean;
  /** softirq vector names / syscall numbers / sched_switch states in the text. */
  print: "softirq" | "syscall" | "sched-switch" | undefined;
}

/** A kernel stack attached to an event of a task: its raw `caller` bytes and times. */
export interface ProfileStack {
  readonly caller: Uint8Array;
  count: number;
  time: number;
  min: number;
  minTs: number;
  max: number;
  maxTs: number;
}

/** Counts and times of one event (and value) of a task or a group. */
export interface ProfileEventStat {
  readonly event: ProfileEvent;
  searchVal: ProfileValue;
  val: ProfileValue;
  count: number;
  total: number;
  max: number;
  maxTs: number;
  min: number;
  minTs: number;
  lastTime: number;
  /** By caller bytes (latin1). */
  stacks: Map<string, ProfileStack>;
}

interface Start {
  event: ProfileEvent;
  task: ProfileTask;
  ts: number;
  searchVal: ProfileValue;
  val: ProfileValue;
  cpu: number;
  stack: SavedStack | undefined;
}

interface SavedStack {
  caller: Uint8Array;
  ts: number;
}

/** One task (or a "Global" pseudo task, pid < 0) and its events. */
export interface ProfileTask {
  readonly pid: number;
  comm: string | undefined;
  /** Creation order, for the order trace-cmd walks its task hash in (--by-comm merges). */
  readonly serial: number;
  sleeping: boolean;
  /** Per event: stats by value key. */
  readonly events: Map<ProfileEvent, Map<ProfileValue | string, ProfileEventStat>>;
  /** Per event and match value: open starts, the newest last. */
  readonly starts: Map<ProfileEvent, Map<ProfileValue, Start[]>>;
  proxy: ProfileTask | undefined;
  lastStart: Start | undefined;
  lastEvent: ProfileEventStat | undefined;
  lastStack: SavedStack | undefined;
  group: ProfileGroup | undefined;
}

/** Tasks of one comm merged by `--by-comm`. */
export interface ProfileGroup {
  readonly comm: string;
  readonly events: Map<ProfileEvent, Map<ProfileValue | string, ProfileEventStat>>;
}

export interface TaskProfileOptions {
  /** `-G`: irq and softirq pairs belong to per-CPU "Global" tasks, not to the interrupted task. */
  global?: boolean;
  /** `-H` hooks, in the order given. */
  hooks?: readonly ProfileHook[];
  /** A hook names an event the file lacks. */
  onWarning?: (message: string) => void;
}

const TASK_STATE_MASK = 1023;

/** tep_read_number_field(): fields of 1, 2, 4 or 8 bytes, unsigned; others cannot be read. */
function valueReader(field: FieldDef | undefined, le: boolean): Reader | undefined {
  if (field === undefined) return undefined;
  const off = field.offset;
  const size = field.size;
  if (size === 1) return (rec) => rec.buf[rec.pos + off] ?? 0;
  if (size === 2) return (rec) => (off + 2 <= rec.len ? rec.view.getUint16(rec.pos + off, le) : 0);
  if (size === 4) return (rec) => (off + 4 <= rec.len ? rec.view.getUint32(rec.pos + off, le) : 0);
  if (size === 8) {
    const loAt = le ? off : off + 4;
    const hiAt = le ? off + 4 : off;
    // Kernel addresses repeat: one bigint per value, so that the maps key them cheaply.
    const big = new Map<number, Map<number, bigint>>();
    return (rec) => {
      if (off + 8 > rec.len) return 0;
      const hi = rec.view.getUint32(rec.pos + hiAt, le);
      const lo = rec.view.getUint32(rec.pos + loAt, le);
      if (hi < 0x200000) return hi * 4294967296 + lo;
      let byLo = big.get(hi);
      if (byLo === undefined) big.set(hi, (byLo = new Map()));
      let v = byLo.get(lo);
      if (v === undefined) {
        if (byLo.size > 1 << 16) byLo.clear();
        byLo.set(lo, (v = (BigInt(hi) << 32n) | BigInt(lo)));
      }
      return v;
    };
  }
  return () => undefined;
}

/** The value as a C int (trace-cmd keeps pids, states and vectors in an int). */
export function asInt(v: ProfileValue): number {
  return typeof v === "number" ? v | 0 : Number(BigInt.asIntN(32, v));
}

function valueKey(searchVal: ProfileValue, val: ProfileValue): ProfileValue | string {
  return searchVal === val ? val : `${searchVal}:${val}`;
}

/** Bytes of a char[] field up to its first NUL, one char per byte. */
function commOf(rec: RawRecord, field: FieldDef | undefined): string {
  if (field === undefined) return "";
  let s = "";
  const end = Math.min(rec.pos + field.offset + field.size, rec.buf.length);
  for (let i = rec.pos + field.offset; i < end; i++) {
    const b = rec.buf[i]!;
    if (b === 0) break;
    s += String.fromCharCode(b);
  }
  return s;
}

/**
 * Feeds records (in time order, after the report's filters) and keeps per-task statistics; read them
 * with tasks(), globalTasks() and groups() at the end. Memory grows with tasks, events and distinct
 * stacks, not with records.
 */
export class TaskProfile {
  private readonly byId = new Map<number, ProfileEvent>();
  private readonly taskByPid = new Map<number, ProfileTask>();
  private lastTask: ProfileTask | undefined;
  private serial = 0;
  private readonly typeOf: (rec: RawRecord) => number;
  private readonly commonPid: Reader;
  private readonly globalTask: ProfileTask;
  private readonly globalCpuTasks: ProfileTask[] = [];
  private switchPrevComm: FieldDef | undefined;
  private switchNextComm: FieldDef | undefined;
  private wakeupComm: FieldDef | undefined;
  private stackCaller: FieldDef | undefined;

  constructor(
    private readonly table: EventTable,
    /** CPUs of the file: one "Global CPU[n] Events" task each. */
    readonly cpus: number,
    options: TaskProfileOptions = {},
  ) {
    const le = table.info.littleEndian;
    const events = [...table.all()].sort((a, b) => a.id - b.id);
    const common = (name: string): FieldDef | undefined => {
      for (const ev of events) {
        const f = ev.commonFields.find((c) => c.name === name);
        if (f !== undefined) return f;
      }
      return undefined;
    };
    const typeField = common("common_type");
    const typeRead = valueReader(typeField, le);
    this.typeOf = (rec) => {
      const v = typeRead?.(rec);
      return typeof v === "number" ? v : -1;
    };
    this.commonPid = valueReader(common("common_pid"), le) ?? (() => 0);
    this.globalTask = this.newTask(-1, "Global Events");
    for (let i = 0; i < cpus; i++) this.globalCpuTasks.push(this.newTask(-1 - i, `Global CPU[${i}] Events`));
    this.serial = 0;

    const find = (system: string | undefined, name: string): EventFormat | undefined =>
      events.find((e) => (system === undefined || e.system === system) && e.name === name);
    const add = (system: string | undefined, name: string, kind: ProfileEventKind): ProfileEvent | undefined => {
      const format = find(system, name);
      if (format === undefined) return undefined;
      const ev: ProfileEvent = {
        id: format.id,
        format,
        kind,
        start: undefined,
        end: undefined,
        pid: undefined,
        startMatch: undefined,
        endMatch: undefined,
        data: undefined,
        migrate: false,
        global: false,
        funcName: kind === "func",
        print: undefined,
      };
      this.byId.set(format.id, ev);
      return ev;
    };
    const field = (ev: ProfileEvent, name: string): FieldDef => {
      const f = ev.format.fields.find((x) => x.name === name);
      if (f === undefined) throw new FtkError(`cannot profile: event '${ev.format.system}:${ev.format.name}' of the file has no field '${name}'`);
      return f;
    };
    const mate = (start: ProfileEvent, pid: string | undefined, endMatch: string, end: ProfileEvent, startMatch: string, migrate: boolean, global: boolean): void => {
      start.end = end;
      end.start = start;
      if (pid !== undefined) start.pid = valueReader(field(start, pid), le);
      start.endMatch = valueReader(field(start, endMatch), le);
      end.startMatch = valueReader(field(end, startMatch), le);
      start.migrate = end.migrate = migrate;
      start.global = end.global = global;
    };
    const global = options.global === true;

    const irqEntry = add("irq", "irq_handler_entry", "irq");
    const irqExit = add("irq", "irq_handler_exit", "irq");
    const softirqEntry = add("irq", "softirq_entry", "softirq");
    const softirqExit = add("irq", "softirq_exit", "softirq");
    const softirqRaise = add("irq", "softirq_raise", "softirq-raise");
    const wakeup = add("sched", "sched_wakeup", "wakeup");
    const sched = add("sched", "sched_switch", "sched-switch");
    const fgEntry = add("ftrace", "funcgraph_entry", "func");
    const fgExit = add("ftrace", "funcgraph_exit", "func");
    const sysEnter = add("raw_syscalls", "sys_enter", "syscall");
    const sysExit = add("raw_syscalls", "sys_exit", "syscall");
    const exec = add("sched", "sched_process_exec", "exec");
    const stack = add("ftrace", "kernel_stack", "stack");
    if (stack !== undefined) this.stackCaller = field(stack, "caller");
    if (exec !== undefined) exec.data = valueReader(exec.format.fields.find((f) => f.name === "old_pid"), le);
    if (sched !== undefined) {
      sched.data = valueReader(field(sched, "prev_state"), le);
      this.switchPrevComm = field(sched, "prev_comm");
      this.switchNextComm = field(sched, "next_comm");
      sched.print = "sched-switch";
      // Without sched_wakeup trace-cmd has no pid fields here (and crashes); read them anyway.
      sched.pid = valueReader(sched.format.fields.find((f) => f.name === "prev_pid"), le);
      sched.endMatch = valueReader(sched.format.fields.find((f) => f.name === "next_pid"), le);
    }
    if (sched !== undefined && wakeup !== undefined) {
      mate(sched, "prev_pid", "next_pid", wakeup, "pid", true, false);
      mate(wakeup, "pid", "pid", sched, "prev_pid", true, false);
      wakeup.data = valueReader(wakeup.format.fields.find((f) => f.name === "success"), le);
      this.wakeupComm = field(wakeup, "comm");
    }
    if (irqEntry !== undefined && irqExit !== undefined) mate(irqEntry, undefined, "irq", irqExit, "irq", false, global);
    for (const ev of [softirqEntry, softirqExit, softirqRaise]) if (ev !== undefined) ev.print = "softirq";
    if (softirqEntry !== undefined && softirqExit !== undefined) mate(softirqEntry, undefined, "vec", softirqExit, "vec", false, global);
    if (softirqEntry !== undefined && softirqRaise !== undefined) mate(softirqRaise, undefined, "vec", softirqEntry, "vec", false, global);
    if (fgEntry !== undefined && fgExit !== undefined) mate(fgEntry, undefined, "func", fgExit, "func", true, false);
    if (sysEnter !== undefined && sysExit !== undefined) {
      mate(sysEnter, undefined, "id", sysExit, "id", true, false);
      sysEnter.print = sysExit.print = "syscall";
    }
    const fn = add("ftrace", "function", "func");
    if (fn !== undefined) fn.data = valueReader(fn.format.fields.find((f) => f.name === "ip"), le);
    for (const hook of options.hooks ?? []) {
      const s = add(hook.startSystem, hook.startEvent, "hook");
      const e = add(hook.endSystem, hook.endEvent, "hook");
      if (s === undefined) {
        options.onWarning?.(`Event ${hook.startEvent} not found`);
        continue;
      }
      if (e === undefined) {
        options.onWarning?.(`Event ${hook.endEvent} not found`);
        continue;
      }
      mate(s, hook.pid, hook.startMatch, e, hook.endMatch, hook.migrate, hook.global);
    }
    for (const format of events) {
      if (this.byId.has(format.id)) continue;
      const ev = add(format.system, format.name, "other")!;
      ev.data = valueReader(format.fields[0], le);
    }
    // The handlers by kind; only events with a pairing role use the generic one.
    this.fgEntry = fgEntry !== undefined && fgExit !== undefined ? fgEntry : undefined;
    this.fgExit = fgEntry !== undefined && fgExit !== undefined ? fgExit : undefined;
    this.wakeupEvent = sched !== undefined && wakeup !== undefined ? wakeup : undefined;
  }

  private readonly fgEntry: ProfileEvent | undefined;
  private readonly fgExit: ProfileEvent | undefined;
  private readonly wakeupEvent: ProfileEvent | undefined;

  /** Accounts one record. */
  record(rec: RawRecord): void {
    if (rec.missedEvents !== 0) this.dropStarts(rec.cpu);
    const ev = this.byId.get(this.typeOf(rec));
    if (ev === undefined) return;
    const pid = asInt(this.commonPid(rec) ?? 0);
    const task = this.findTask(pid);
    const stackBefore = task.lastStack;
    switch (ev.kind) {
      case "stack":
        this.onStack(pid, rec);
        break;
      case "sched-switch":
        this.onSwitch(ev, rec);
        break;
      case "wakeup":
        if (ev === this.wakeupEvent) this.onWakeup(ev, pid, rec);
        else this.onEvent(ev, pid, rec);
        break;
      case "exec":
        this.onExec(ev, pid, rec);
        break;
      default:
        if (ev === this.fgEntry) this.onGraphEntry(ev, pid, rec);
        else if (ev === this.fgExit) this.endEvent(ev, pid, rec).lastEvent = undefined;
        else this.onEvent(ev, pid, rec);
    }
    // A stack saved for a later function_graph entry lives until the task's next event.
    if (stackBefore !== undefined && task.lastStack === stackBefore) task.lastStack = undefined;
  }

  /** Tasks by pid (int), in creation order. */
  tasks(): ProfileTask[] {
    return [...this.taskByPid.values()];
  }

  /** "Global Events" (pid -1), then "Global CPU[n] Events" (pid -1-n). */
  globalTasks(): ProfileTask[] {
    return [this.globalTask, ...this.globalCpuTasks];
  }

  /**
   * `--by-comm`: merges the events of the tasks that have a comm into one group per comm (the tasks are
   * then marked with their group), in the order trace-cmd walks its task hash, so that ties in min/max
   * keep the same task's timestamps. Returns the groups by name.
   */
  mergeByComm(): ProfileGroup[] {
    const groups = new Map<string, ProfileGroup>();
    const order = this.tasks().sort((a, b) => {
      const ba = traceHash(a.pid >>> 0) & 1023;
      const bb = traceHash(b.pid >>> 0) & 1023;
      return ba !== bb ? ba - bb : b.serial - a.serial;
    });
    for (const task of order) {
      if (task.comm === undefined) continue;
      let group = groups.get(task.comm);
      if (group === undefined) groups.set(task.comm, (group = { comm: task.comm, events: new Map() }));
      task.group = group;
      for (const [ev, stats] of task.events) {
        for (const stat of stats.values()) {
          // Wakeups merge into one; sched_switch by state; the rest by value.
          if (ev.kind === "wakeup") stat.searchVal = stat.val = 0;
          else if (ev.kind === "sched-switch") stat.searchVal = stat.val;
          mergeStat(group, stat);
        }
      }
      task.events.clear();
    }
    return [...groups.values()];
  }

  private newTask(pid: number, comm: string | undefined): ProfileTask {
    return {
      pid,
      comm,
      serial: this.serial++,
      sleeping: false,
      events: new Map(),
      starts: new Map(),
      proxy: undefined,
      lastStart: undefined,
      lastEvent: undefined,
      lastStack: undefined,
      group: undefined,
    };
  }

  private findTask(pid: number): ProfileTask {
    const last = this.lastTask;
    if (last !== undefined && last.pid === pid) return last;
    let task = this.taskByPid.get(pid);
    if (task === undefined) this.taskByPid.set(pid, (task = this.newTask(pid, undefined)));
    this.lastTask = task;
    return task;
  }

  private eventTask(ev: ProfileEvent, rec: RawRecord, pid: number): ProfileTask {
    if (ev.global) return ev.migrate ? this.globalTask : (this.globalCpuTasks[rec.cpu] ?? this.globalTask);
    if (ev.pid !== undefined) pid = asInt(ev.pid(rec) ?? pid);
    return this.findTask(pid);
  }

  private stat(task: ProfileTask, ev: ProfileEvent, searchVal: ProfileValue, val: ProfileValue): ProfileEventStat {
    let byVal = task.events.get(ev);
    if (byVal === undefined) task.events.set(ev, (byVal = new Map()));
    const key = valueKey(searchVal, val);
    let s = byVal.get(key);
    if (s === undefined) {
      s = { event: ev, searchVal, val, count: 0, total: 0, max: 0, maxTs: 0, min: 0, minTs: 0, lastTime: 0, stacks: new Map() };
      byVal.set(key, s);
    }
    return s;
  }

  private addStart(task: ProfileTask, ev: ProfileEvent, rec: RawRecord, searchVal: ProfileValue, val: ProfileValue): Start {
    const start: Start = { event: ev, task, ts: rec.ts, searchVal, val, cpu: rec.cpu, stack: undefined };
    let byVal = task.starts.get(ev);
    if (byVal === undefined) task.starts.set(ev, (byVal = new Map()));
    let list = byVal.get(searchVal);
    if (list === undefined) byVal.set(searchVal, (list = []));
    list.push(start);
    return start;
  }

  private freeStart(start: Start): void {
    const task = start.task;
    if (task.lastStart === start) task.lastStart = undefined;
    const byVal = task.starts.get(start.event);
    const list = byVal?.get(start.searchVal);
    if (list !== undefined) {
      // Usually the newest; the (empty) list stays for the next start of this value.
      if (list[list.length - 1] === start) list.pop();
      else {
        const i = list.lastIndexOf(start);
        if (i >= 0) list.splice(i, 1);
      }
    }
  }

  /** Lost events (rare): the open starts of this CPU and every start that may migrate are dropped. */
  private dropStarts(cpu: number): void {
    for (const task of [...this.taskByPid.values(), ...this.globalTasks()]) {
      for (const byVal of task.starts.values()) {
        for (const list of byVal.values()) {
          for (const s of [...list]) if (s.event.migrate || s.cpu === cpu) this.freeStart(s);
        }
      }
    }
  }

  /** Closes the newest open start of `ev` with this match value: its time goes to the event's stat. */
  private closeStart(task: ProfileTask, ev: ProfileEvent | undefined, ts: number, searchVal: ProfileValue): ProfileEventStat | undefined {
    if (ev === undefined) return undefined;
    const list = task.starts.get(ev)?.get(searchVal);
    const start = list?.[list.length - 1];
    if (start === undefined) return undefined;
    const delta = Math.max(0, ts - start.ts);
    const s = this.stat(task, ev, start.searchVal, start.val);
    s.count++;
    s.total += delta;
    s.lastTime = delta;
    if (delta > s.max) {
      s.max = delta;
      s.maxTs = ts;
    }
    if (s.count === 1 || delta < s.min) {
      s.min = delta;
      s.minTs = ts;
    }
    if (start.stack !== undefined) addStack(s, start.stack.caller, delta, start.stack.ts);
    this.freeStart(start);
    return s;
  }

  private endEvent(ev: ProfileEvent, pid: number, rec: RawRecord): ProfileTask {
    const task = this.eventTask(ev, rec, pid);
    const val = ev.startMatch?.(rec) ?? 0;
    const s = this.closeStart(task, ev.start, rec.ts, val);
    task.lastStart = undefined;
    task.lastEvent = s;
    return task;
  }

  private startEvent(ev: ProfileEvent, pid: number, rec: RawRecord): ProfileTask {
    const task = this.eventTask(ev, rec, pid);
    const val = ev.endMatch?.(rec) ?? 0;
    task.lastStart = this.addStart(task, ev, rec, val, val);
    task.lastEvent = undefined;
    return task;
  }

  private onEvent(ev: ProfileEvent, pid: number, rec: RawRecord): void {
    let task: ProfileTask | undefined;
    if (ev.start !== undefined) task = this.endEvent(ev, pid, rec);
    if (ev.end !== undefined) task = this.startEvent(ev, pid, rec);
    if (task !== undefined) return;
    // An event without a pair: counted under its first field's value.
    task = this.findTask(pid);
    task.proxy = undefined;
    task.lastStart = undefined;
    task.lastEvent = undefined;
    if (ev.pid !== undefined) {
      const proxy = task;
      task = this.findTask(asInt(ev.pid(rec) ?? 0));
      proxy.proxy = task;
    }
    const val = ev.data?.(rec) ?? 0;
    const s = this.stat(task, ev, val, val);
    s.count++;
    task.lastEvent = s;
  }

  private onSwitch(ev: ProfileEvent, rec: RawRecord): void {
    const prevPid = ev.pid?.(rec) ?? 0;
    const state = ev.data?.(rec) ?? 0;
    const prevState = typeof state === "number" ? state % 4294967296 & TASK_STATE_MASK : Number(state & BigInt(TASK_STATE_MASK));
    const nextPid = ev.endMatch?.(rec) ?? 0;
    let task = this.findTask(asInt(prevPid));
    task.comm ??= commOf(rec, this.switchPrevComm);
    task.sleeping = prevState !== 0;
    // Switched out: prev_state says why; the switch-in (or a wakeup) closes it.
    task.lastStart = this.addStart(task, ev, rec, prevPid, prevState);
    task.lastEvent = undefined;
    task = this.findTask(asInt(nextPid));
    task.comm ??= commOf(rec, this.switchNextComm);
    // Woken: the wakeup latency; preempted: the time since the switch-out.
    this.closeStart(task, ev.start, rec.ts, nextPid);
    this.closeStart(task, ev, rec.ts, nextPid);
  }

  private onWakeup(ev: ProfileEvent, pid: number, rec: RawRecord): void {
    const proxy = this.findTask(pid);
    if (ev.data !== undefined && (ev.data(rec) ?? 0) === 0) return;
    const woken = ev.pid?.(rec) ?? 0;
    const task = this.findTask(asInt(woken));
    task.comm ??= commOf(rec, this.wakeupComm);
    if (!task.sleeping) {
      proxy.proxy = undefined;
      proxy.lastStart = undefined;
      proxy.lastEvent = undefined;
      return;
    }
    task.sleeping = false;
    // The stack that follows belongs to the woken task, not to the waker.
    proxy.proxy = task;
    this.closeStart(task, ev.start, rec.ts, woken);
    task.lastStart = this.addStart(task, ev, rec, woken, woken);
    task.lastEvent = undefined;
  }

  private onExec(ev: ProfileEvent, pid: number, rec: RawRecord): void {
    const task = this.findTask(ev.data !== undefined ? asInt(ev.data(rec) ?? 0) : pid);
    task.comm = undefined;
  }

  private onGraphEntry(ev: ProfileEvent, pid: number, rec: RawRecord): void {
    const task = this.startEvent(ev, pid, rec);
    // Stack traces come before the function_graph entry they belong to.
    if (task.lastStack !== undefined) {
      task.lastStart!.stack = task.lastStack;
      task.lastStack = undefined;
      task.lastEvent = undefined;
    }
    task.lastStart = undefined;
  }

  private onStack(pid: number, rec: RawRecord): void {
    const field = this.stackCaller!;
    let task = this.findTask(pid);
    task.lastStack = undefined;
    const orig = task;
    const proxy = task.proxy;
    if (proxy !== undefined) {
      task.proxy = undefined;
      task = proxy;
    }
    const size = rec.len - field.offset;
    if (size < 4) return;
    const caller = rec.buf.slice(rec.pos + field.offset, rec.pos + rec.len);
    if (task.lastStart === undefined && task.lastEvent === undefined) {
      orig.lastStack = { caller, ts: rec.ts };
      return;
    }
    const start = task.lastStart;
    if (start !== undefined) {
      start.stack = { caller, ts: rec.ts };
      task.lastStart = undefined;
      task.lastEvent = undefined;
      return;
    }
    const s = task.lastEvent!;
    task.lastEvent = undefined;
    addStack(s, caller, s.lastTime, rec.ts);
  }
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

function addStack(s: ProfileEventStat, caller: Uint8Array, time: number, ts: number): void {
  const key = latin1(caller);
  let st = s.stacks.get(key);
  if (st === undefined) s.stacks.set(key, (st = { caller, count: 0, time: 0, min: 0, minTs: 0, max: 0, maxTs: 0 }));
  st.count++;
  st.time += time;
  if (st.count === 1 || time < st.min) {
    st.min = time;
    st.minTs = ts;
  }
  if (time > st.max) {
    st.max = time;
    st.maxTs = ts;
  }
}

type Extremes = Pick<ProfileStack, "min" | "minTs" | "max" | "maxTs">;

/** Keeps the larger max and the smaller min of two merged stats, each with its timestamp. */
function mergeExtremes(into: Extremes, from: Extremes): void {
  if (into.max < from.max) {
    into.max = from.max;
    into.maxTs = from.maxTs;
  }
  if (into.min > from.min) {
    into.min = from.min;
    into.minTs = from.minTs;
  }
}

function mergeStat(group: ProfileGroup, stat: ProfileEventStat): void {
  let byVal = group.events.get(stat.event);
  if (byVal === undefined) group.events.set(stat.event, (byVal = new Map()));
  const key = valueKey(stat.searchVal, stat.val);
  const exist = byVal.get(key);
  if (exist === undefined) {
    byVal.set(key, stat);
    return;
  }
  exist.count += stat.count;
  exist.total += stat.total;
  mergeExtremes(exist, stat);
  for (const [key, st] of stat.stacks) {
    const e = exist.stacks.get(key);
    if (e === undefined) {
      exist.stacks.set(key, st);
      continue;
    }
    e.count += st.count;
    e.time += st.time;
    mergeExtremes(e, st);
  }
}

/** Values compare as unsigned 64-bit numbers. */
export function compareValues(a: ProfileValue, b: ProfileValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
