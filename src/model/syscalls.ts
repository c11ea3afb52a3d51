// Syscalls as slices: pairs each thread's sys_enter with its sys_exit, from either the per-call
// `syscalls:sys_enter_NAME`/`sys_exit_NAME` events or the generic `raw_syscalls:sys_enter`/`sys_exit`.
// Streaming: state is one open call per thread, whatever the size of the trace.
import type { TraceFile } from "../tracedat/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import { EventWalker, TraceEventMaker, readEvents, type ReadEventsOptions, type TraceEvent } from "../report/index.js";

/**
 * One system call of one thread. Times are in trace-clock units (ns for the usual clocks).
 * Objects handed out are never changed afterwards.
 */
export interface SyscallSlice {
  /** Entry time; the exit's time when the entry was not seen (`enterMissing`). */
  ts: bigint;
  /** Exit time minus entry time; undefined when either end was not seen. */
  dur: bigint | undefined;
  /** `dur` as a number (exact below 2^53), NaN when undefined; the pairer's slices have it: no BigInt for readers that add durations up. */
  durNs?: number;
  /** The calling thread (the events' common_pid). */
  tid: number;
  /** Its process, when the `tgidOf` option knows it. */
  tgid: number | undefined;
  /** The thread's name at the time (trace's task names). */
  comm: string;
  /** CPU of the entry (of the exit when the entry was not seen). */
  cpu: number;
  /** CPU of the exit; undefined when it was not seen. */
  exitCpu: number | undefined;
  /** Syscall number as the kernel recorded it (`__syscall_nr` or `id`). */
  nr: number;
  /** Name: from the event (`sys_enter_openat` -> `openat`), else `syscallName(nr)`, else `syscall_NR`. */
  name: string;
  /** Arguments as recorded, unsigned 64-bit (6 for raw_syscalls; the event's own for syscalls:*); empty when the entry was not seen. */
  args: readonly bigint[];
  /** The argument field names of a `syscalls:sys_enter_*` event (shared between slices); undefined for raw_syscalls. */
  argNames: readonly string[] | undefined;
  /** Return value, signed; undefined when the exit was not seen. */
  ret: bigint | undefined;
  /** The entry was not seen: the call began before the trace (or its entry event was lost). */
  enterMissing: boolean;
  /** The exit was not seen: still running at the end, a call that never returns (exit_group), or a lost exit. */
  exitMissing: boolean;
  /**
   * User-space strings by argument index, from the `stringSystem` events (see SyscallOptions); absent
   * when none applied. An entry is set only where the argument equals the pointer the string was read from.
   */
  strings?: readonly (string | undefined)[];
}

/** Which events to pair: "auto" takes the system of the first syscall event seen and ignores the other. */
export type SyscallSource = "auto" | "syscalls" | "raw_syscalls";

/** Options of the syscall pairing. */
export interface SyscallOptions {
  /** Default "auto". */
  source?: SyscallSource;
  /** Names raw_syscalls numbers (for example the x86_64 table of src/syscalls). */
  syscallName?: (nr: number) => string | undefined;
  /** The process of a thread, when the caller knows it. */
  tgidOf?: (tid: number) => number | undefined;
  /**
   * System (probe group) of events that carry user strings: fields `p0`, `s0`, `p1`, `s1`, ... hold a
   * pointer and the string read from it (a uprobe on a libc wrapper: `p0=$arg1:x64 s0=+0($arg1):string`).
   * Strings read in user space (uprobes) apply to the thread's next syscall entry only; strings read
   * while the thread is in a call (kprobes inside the kernel) apply to that call. Either way only to the
   * arguments equal to their pointer.
   */
  stringSystem?: string;
  /** Read raw_syscalls' arguments (default true); a caller that only counts calls spares their BigInts. */
  args?: boolean;
}

/** What the pairer reports, in event order: an entry, a completed call, or a call that will not complete. */
export type SyscallStep =
  | { kind: "enter"; call: SyscallSlice }
  | { kind: "exit"; call: SyscallSlice }
  | { kind: "unfinished"; call: SyscallSlice };

/** The kind of a step. */
export type SyscallStepKind = SyscallStep["kind"];

/** Receives each step as its kind and call, with no step object made (see SyscallPairer.forCalls). */
export type SyscallCallHandler = (kind: SyscallStepKind, call: SyscallSlice) => void;

const NO_ARGS: readonly bigint[] = Object.freeze([]);

/** Fewest thread states before pruning (each holds an argument cache, ~250 bytes). */
const PRUNE_MIN = 4096;

/** Trace-clock time: a number from raw records (exact, below 2^53), a bigint from events. */
type Time = number | bigint;

const big = (t: Time): bigint => (typeof t === "bigint" ? t : BigInt(t));

/**
 * The pairer's slices: the times stay as read (`ts` and `dur` are made when asked), so that a syscall
 * flood whose lines show no time allocates no BigInt for them. Positional: made twice per call.
 */
class Slice implements SyscallSlice {
  strings?: readonly (string | undefined)[];
  constructor(
    /** Entry (or the exit when the entry was not seen). */
    private readonly t0: Time,
    /** Exit, when both ends were seen. */
    private readonly t1: Time | undefined,
    readonly tid: number,
    readonly tgid: number | undefined,
    readonly comm: string,
    readonly cpu: number,
    readonly exitCpu: number | undefined,
    readonly nr: number,
    readonly name: string,
    readonly args: readonly bigint[],
    readonly argNames: readonly string[] | undefined,
    readonly ret: bigint | undefined,
    readonly enterMissing: boolean,
    readonly exitMissing: boolean,
  ) {}

  get ts(): bigint {
    return big(this.t0);
  }

  get dur(): bigint | undefined {
    const t0 = this.t0;
    const t1 = this.t1;
    if (t1 === undefined) return undefined;
    return typeof t0 === "number" && typeof t1 === "number" ? BigInt(t1 - t0) : big(t1) - big(t0);
  }

  get durNs(): number {
    const t1 = this.t1;
    if (t1 === undefined) return NaN;
    const t0 = this.t0;
    return typeof t0 === "number" && typeof t1 === "number" ? t1 - t0 : Number(big(t1) - big(t0));
  }

  /** The entry time as read (the exit pairs with it). */
  get time(): Time {
    return this.t0;
  }
}

/**
 * The streaming core: feed it syscall events in time order (`add`), then `finish()`; every step goes to
 * `onStep` as it happens. Events of other systems are ignored, so a whole event stream can be fed.
 * @example
 * const p = new SyscallPairer((s) => { if (s.kind === "exit") console.log(s.call.name, s.call.ret); });
 * for await (const ev of readEvents(trace, { events: ["raw_syscalls"], arrays: true })) p.add(ev);
 * p.finish();
 */
export class SyscallPairer {
  /** Each thread's state; it stays when the thread's call ends: deleting and adding it again per call costs more than the call's pairing. */
  private readonly threads = new Map<number, ThreadState>();
  /** The thread of the last record: a flood comes from one thread at a time, so most records need no lookup. */
  private last: ThreadState = noThread();
  private openCalls = 0;
  /** Thread states kept before those between calls are dropped (bounded: a whole-system trace sees threads come and go). */
  private pruneAt = PRUNE_MIN;
  private source: SyscallSource;
  private readonly syscallName: ((nr: number) => string | undefined) | undefined;
  private readonly tgidOf: ((tid: number) => number | undefined) | undefined;
  /** Names learned from syscalls:* events, by number. */
  private readonly learned = new Map<number, string>();
  /** Argument names of each sys_enter_* event, by event name. */
  private readonly argNamesOf = new Map<string, readonly string[]>();
  private readonly stringSystem: string | undefined;
  private readonly withArgs: boolean;
  /** Strings read by a thread since its last syscall entry: pointer, string, ... */
  private readonly strings = new Map<number, (bigint | string)[]>();
  /** Strings read by a thread during its open call (kprobes): pointer, string, ... */
  private readonly during = new Map<number, (bigint | string)[]>();

  /** Where each step goes. */
  private onStep: SyscallCallHandler;

  constructor(onStep: (step: SyscallStep) => void, options: SyscallOptions = {}) {
    this.onStep = (kind, call) => onStep({ kind, call } as SyscallStep);
    this.source = options.source ?? "auto";
    this.syscallName = options.syscallName;
    this.tgidOf = options.tgidOf;
    this.stringSystem = options.stringSystem;
    this.withArgs = options.args ?? true;
  }

  /**
   * A pairer that hands each step to `onCall` as (kind, call): no step object per step, which a syscall
   * flood (a million calls a second) feels as allocation and GC.
   */
  static forCalls(onCall: SyscallCallHandler, options: SyscallOptions = {}): SyscallPairer {
    const p = new SyscallPairer(() => {}, options);
    p.onStep = onCall;
    return p;
  }

  /** Calls entered and not yet exited. */
  get openCount(): number {
    return this.openCalls;
  }

  /** Feeds one event (of any system). */
  add(ev: TraceEvent): void {
    const system = ev.system;
    if (system === this.stringSystem) return this.addStrings(ev);
    if (system !== "raw_syscalls" && system !== "syscalls") return;
    if (this.source === "auto") this.source = system;
    else if (this.source !== system) return;
    const name = ev.name;
    if (name === "sys_enter" || name.startsWith("sys_enter_")) this.enter(ev);
    else if (name === "sys_exit" || name.startsWith("sys_exit_")) this.exit(ev);
  }

  /** Ends the stream: each call still open is reported as unfinished, in entry order. */
  finish(): void {
    const rest = [...this.threads.values()].flatMap((t) => (t.call === undefined ? [] : [t.call])).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    this.threads.clear();
    this.last = noThread();
    this.openCalls = 0;
    for (const call of rest) this.onStep("unfinished", call);
  }

  private nameOf(evName: string, prefix: string, nr: number): string {
    if (evName.length > prefix.length) {
      const n = evName.slice(prefix.length);
      if (nr >= 0 && !this.learned.has(nr)) this.learned.set(nr, n);
      return n;
    }
    return this.learned.get(nr) ?? this.syscallName?.(nr) ?? `syscall_${nr}`;
  }

  private addStrings(ev: TraceEvent): void {
    const map = this.threads.get(ev.pid)?.call !== undefined ? this.during : this.strings;
    let list = map.get(ev.pid);
    if (list === undefined) map.set(ev.pid, (list = []));
    for (let k = 0; ; k++) {
      const p = ev.fields[`p${k}`];
      const str = ev.fields[`s${k}`];
      if (p === undefined || typeof str !== "string") break;
      // A fetch that faulted (the page was not in memory) reads as "": a wrong string, so none.
      if (ev.faulted?.includes(`s${k}`) === true) continue;
      // Bounded: a thread that reads strings without making syscalls keeps only the latest few.
      if (list.length >= 16) list.splice(0, 2);
      list.push(toUnsigned(p), str);
    }
  }

  /** The strings of a call's arguments (consuming the thread's pending strings from `map`), merged over `base`. */
  private stringsFor(
    map: Map<number, (bigint | string)[]>, tid: number, args: readonly bigint[], base?: readonly (string | undefined)[],
  ): (string | undefined)[] | undefined {
    const list = map.get(tid);
    if (list === undefined) return undefined;
    map.delete(tid);
    let out: (string | undefined)[] | undefined = base === undefined ? undefined : [...base];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === 0n) continue;
      for (let k = list.length - 2; k >= 0; k -= 2) {
        if (list[k] === a) {
          (out ??= new Array<string | undefined>(args.length).fill(undefined))[i] = list[k + 1] as string;
          break;
        }
      }
    }
    return out;
  }

  private enter(ev: TraceEvent): void {
    const raw = ev.name === "sys_enter";
    const nr = toNumber(raw ? ev.fields["id"] : ev.fields["__syscall_nr"]);
    let args: readonly bigint[];
    let argNames: readonly string[] | undefined;
    if (raw) {
      args = ev.arrays?.["args"] ?? NO_ARGS;
    } else {
      argNames = this.argNamesOf.get(ev.name);
      if (argNames === undefined) {
        argNames = Object.freeze(Object.keys(ev.fields).filter((k) => k !== "__syscall_nr"));
        this.argNamesOf.set(ev.name, argNames);
      }
      const a = new Array<bigint>(argNames.length);
      for (let i = 0; i < argNames.length; i++) a[i] = toUnsigned(ev.fields[argNames[i]!]);
      args = a;
    }
    this.enterCall(ev.ts, ev.pid, ev.comm, ev.cpu, nr, this.nameOf(ev.name, "sys_enter_", nr), args, argNames);
  }

  private enterCall(
    ts: Time, pid: number, comm: string, cpu: number, nr: number, name: string, args: readonly bigint[], argNames: readonly string[] | undefined,
  ): void {
    const thread = this.thread(pid);
    const prev = thread.call;
    if (prev !== undefined) this.onStep("unfinished", prev);
    const call = new Slice(ts, undefined, pid, this.tgidOf?.(pid), comm, cpu, undefined, nr, name, args, argNames, undefined, false, true);
    if (this.stringSystem !== undefined) {
      if (this.during.size > 0) this.during.delete(pid);
      const strings = this.strings.size > 0 ? this.stringsFor(this.strings, pid, args) : undefined;
      if (strings !== undefined) call.strings = strings;
    }
    if (prev === undefined) this.openCalls++;
    thread.call = call;
    this.onStep("enter", call);
  }

  private exit(ev: TraceEvent): void {
    const raw = ev.name === "sys_exit";
    const nr = toNumber(raw ? ev.fields["id"] : ev.fields["__syscall_nr"]);
    this.exitCall(ev.ts, ev.pid, ev.comm, ev.cpu, nr, ev.name, toSigned(ev.fields["ret"]));
  }

  private exitCall(ts: Time, pid: number, comm: string, cpu: number, nr: number, evName: string, ret: bigint | undefined): void {
    const thread = this.thread(pid);
    const open = thread.call;
    // Number -1: the call cleared it itself (rt_sigreturn, so that the interrupted call is not restarted).
    if (open !== undefined && (open.nr === nr || nr === -1)) {
      thread.call = undefined;
      this.openCalls--;
      const call = new Slice(open.time, ts, open.tid, open.tgid, open.comm, open.cpu, cpu, open.nr, open.name, open.args, open.argNames, ret, false, false);
      const strings = this.during.size > 0 ? this.stringsFor(this.during, pid, open.args, open.strings) : undefined;
      if (strings !== undefined || open.strings !== undefined) call.strings = strings ?? open.strings;
      this.onStep("exit", call);
      return;
    }
    if (open !== undefined) {
      // A different call's exit: the open one's exit, and this one's entry, were lost.
      thread.call = undefined;
      this.openCalls--;
      this.during.delete(pid);
      this.onStep("unfinished", open);
    }
    const call = new Slice(ts, undefined, pid, this.tgidOf?.(pid), comm, cpu, cpu, nr, this.nameOf(evName, "sys_exit_", nr), NO_ARGS, undefined, ret, true, false);
    this.onStep("exit", call);
  }

  /** The state of thread `tid`, made when first seen. */
  private thread(tid: number): ThreadState {
    if (this.last.tid === tid) return this.last;
    let t = this.threads.get(tid);
    if (t === undefined) {
      // Bounded: a whole-system trace sees threads come and go.
      if (this.threads.size >= this.pruneAt) {
        for (const [k, x] of this.threads) if (x.call === undefined) this.threads.delete(k);
        this.pruneAt = Math.max(PRUNE_MIN, 2 * this.threads.size);
      }
      this.threads.set(tid, (t = { tid, call: undefined, args: undefined }));
    }
    return (this.last = t);
  }

  /**
   * Feeds one record through `raw` (raw_syscalls read straight from the bytes, no event object):
   * false when it is not a raw_syscalls record (feed its event with add() instead).
   */
  addRecord(rec: RawRecord, raw: RawSyscallRecords, pid: number, comm: string): boolean {
    const id = rec.view.getUint16(rec.pos, raw.le);
    const enter = id === raw.enterId;
    if (!enter && id !== raw.exitId) return false;
    if (this.source === "auto") this.source = "raw_syscalls";
    else if (this.source !== "raw_syscalls") return true;
    const v = rec.view;
    const at = rec.pos;
    if (enter) {
      const nr = readSmallInt64(v, at + raw.enterNr, raw.le);
      const args = this.withArgs ? this.rawArgs(v, at, raw, pid, nr) : NO_ARGS;
      this.enterCall(rec.ts, pid, comm, rec.cpu, nr, this.rawName(nr), args, undefined);
    } else {
      const nr = readSmallInt64(v, at + raw.exitNr, raw.le);
      this.exitCall(rec.ts, pid, comm, rec.cpu, nr, "sys_exit", readRet(v, at + raw.retAt, raw.le));
    }
    return true;
  }

  /** Names of raw syscall numbers, by number. */
  private readonly rawNames: string[] = [];

  private rawName(nr: number): string {
    if (nr >= 0 && nr < 4096) return (this.rawNames[nr] ??= this.nameOf("sys_enter", "sys_enter_", nr));
    return this.nameOf("sys_enter", "sys_enter_", nr);
  }

  private rawArgs(v: DataView, at: number, raw: RawSyscallRecords, tid: number, nr: number): readonly bigint[] {
    const from = at + raw.argsAt;
    const words = 2 * raw.argCount;
    const thread = this.thread(tid);
    let c = thread.args;
    if (c === undefined) {
      thread.args = c = { nrs: [-1, -1, -1, -1], words: new Uint32Array(4 * words), args: [NO_ARGS, NO_ARGS, NO_ARGS, NO_ARGS], next: 0 };
    }
    const w = c.words;
    for (let s = 0; s < 4; s++) {
      if (c.nrs[s] !== nr) continue;
      let k = 0;
      const base = s * words;
      while (k < words && v.getUint32(from + 4 * k, true) === w[base + k]) k++;
      if (k === words) return c.args[s]!;
    }
    const args = new Array<bigint>(raw.argCount);
    for (let k = 0; k < raw.argCount; k++) args[k] = v.getBigUint64(from + 8 * k, raw.le);
    const s = c.next;
    c.next = (s + 1) & 3;
    c.nrs[s] = nr;
    for (let k = 0; k < words; k++) w[s * words + k] = v.getUint32(from + 4 * k, true);
    c.args[s] = args;
    return args;
  }
}

/** A thread's open call (undefined between calls) and the last arguments it passed. */
interface ThreadState {
  tid: number;
  call: Slice | undefined;
  /** The last arguments of a few calls: a loop repeating a call hands out one array, not six new BigInts per call. */
  args: ArgsCache | undefined;
}

/** No thread yet (tid NaN matches none). */
function noThread(): ThreadState {
  return { tid: NaN, call: undefined, args: undefined };
}

/** A thread's last four distinct (number, arguments): raw words and the array handed out. */
interface ArgsCache {
  nrs: number[];
  words: Uint32Array;
  args: (readonly bigint[])[];
  next: number;
}

/** A signed 64-bit field known to be small (a syscall number): its low word, unless the high word says otherwise. */
function readSmallInt64(v: DataView, at: number, le: boolean): number {
  const lo = v.getInt32(at + (le ? 0 : 4), le);
  const hi = v.getInt32(at + (le ? 4 : 0), le);
  return (hi === 0 && lo >= 0) || (hi === -1 && lo < 0) ? lo : Number(v.getBigInt64(at, le));
}

/** Return values from -4096 to 4095, made once: most calls return one of them. */
const SMALL_RETS: bigint[] = [];

function readRet(v: DataView, at: number, le: boolean): bigint {
  const n = readSmallInt64(v, at, le);
  if (n >= -4096 && n < 4096) return (SMALL_RETS[n + 4096] ??= BigInt(n));
  return v.getBigInt64(at, le);
}

/** Where raw_syscalls' fields are in a record, compiled once from the event formats (64-bit kernels). */
export interface RawSyscallRecords {
  le: boolean;
  enterId: number;
  exitId: number;
  enterNr: number;
  argsAt: number;
  argCount: number;
  exitNr: number;
  retAt: number;
}

/** The layout of raw_syscalls:sys_enter/sys_exit in `trace`, or undefined when they are missing or not 64-bit. */
export function rawSyscallRecords(trace: TraceFile): RawSyscallRecords | undefined {
  const all = trace.events.all();
  const enter = all.find((e) => e.system === "raw_syscalls" && e.name === "sys_enter");
  const exit = all.find((e) => e.system === "raw_syscalls" && e.name === "sys_exit");
  const enterNr = enter?.findField("id");
  const args = enter?.findField("args");
  const exitNr = exit?.findField("id");
  const ret = exit?.findField("ret");
  if (enter === undefined || exit === undefined || enterNr?.size !== 8 || exitNr?.size !== 8 || ret?.size !== 8) return undefined;
  if (args === undefined || args.arrayLen <= 0 || args.size !== 8 * args.arrayLen) return undefined;
  return {
    le: trace.events.info.littleEndian, enterId: enter.id, exitId: exit.id, enterNr: enterNr.offset,
    argsAt: args.offset, argCount: args.arrayLen, exitNr: exitNr.offset, retAt: ret.offset,
  };
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(BigInt.asIntN(64, v));
  return -1;
}

function toUnsigned(v: unknown): bigint {
  if (typeof v === "bigint") return BigInt.asUintN(64, v);
  if (typeof v === "number") return BigInt.asUintN(64, BigInt(Math.trunc(v)));
  return 0n;
}

function toSigned(v: unknown): bigint | undefined {
  if (typeof v === "bigint") return BigInt.asIntN(64, v);
  if (typeof v === "number") return BigInt(Math.trunc(v));
  return undefined;
}

/** Reading options: the pairing options plus which buffer, CPUs and time window to read. */
export type ReadSyscallsOptions = SyscallOptions & Pick<ReadEventsOptions, "buffer" | "cpus" | "fromTs" | "toTs">;

/**
 * Yields the pairing steps of the syscall events of `events` in order (entries, exits, and at the end
 * the calls left open, as "unfinished").
 */
export async function* syscallSteps(
  events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>,
  options: SyscallOptions = {},
): AsyncGenerator<SyscallStep> {
  const queue: SyscallStep[] = [];
  const pairer = new SyscallPairer((s) => queue.push(s), options);
  for await (const ev of events) {
    pairer.add(ev);
    if (queue.length > 0) {
      for (const s of queue) yield s;
      queue.length = 0;
    }
  }
  pairer.finish();
  for (const s of queue) yield s;
}

/** The syscall events of one buffer of `trace` (and the `stringSystem` events), as readEvents yields them (raw_syscalls' args included). */
export function readSyscallEvents(
  trace: TraceFile,
  options: Pick<ReadEventsOptions, "buffer" | "cpus" | "fromTs" | "toTs"> & Pick<SyscallOptions, "stringSystem"> = {},
): AsyncGenerator<TraceEvent> {
  const events = ["raw_syscalls", "syscalls"];
  if (options.stringSystem !== undefined) events.push(options.stringSystem);
  return readEvents(trace, { ...options, events, arrays: true, faults: options.stringSystem !== undefined });
}

/**
 * Feeds `pairer` the syscall records of one buffer of `trace` in order, raw_syscalls straight from their
 * bytes (no event object), others as events; awaits `between` before each page read.
 */
export async function feedSyscalls(
  trace: TraceFile,
  options: Pick<ReadEventsOptions, "buffer" | "cpus" | "fromTs" | "toTs"> & Pick<SyscallOptions, "stringSystem">,
  pairer: SyscallPairer,
  between?: () => Promise<void>,
): Promise<void> {
  if (trace.buffers.findIndex((x) => x.name === (options.buffer ?? "")) < 0) return;
  const events = ["raw_syscalls", "syscalls"];
  if (options.stringSystem !== undefined) events.push(options.stringSystem);
  const o = { ...options, events, arrays: true, faults: options.stringSystem !== undefined };
  const walker = await EventWalker.open(trace, o);
  const maker = new TraceEventMaker(trace, o);
  const raw = rawSyscallRecords(trace);
  const tasks = trace.tasks;
  for (;;) {
    let r = walker.nextSync();
    if (r === "need-io") {
      await between?.();
      r = await walker.next();
    }
    if (!r) return;
    const ev = walker.event;
    if (ev === undefined) continue;
    const pid = walker.pid();
    if (raw !== undefined && pairer.addRecord(walker.record, raw, pid, tasks.comm(pid))) continue;
    pairer.add(maker.make(walker.record, ev, pid));
  }
}

/**
 * Yields the syscalls of one buffer of `trace` as slices, each when its exit is read (so in exit order),
 * then the calls still open at the end (`exitMissing`), in entry order.
 * @example
 * for await (const s of readSyscalls(await openTrace("trace.dat"))) console.log(s.tid, s.name, s.ret, s.dur);
 */
export async function* readSyscalls(trace: TraceFile, options: ReadSyscallsOptions = {}): AsyncGenerator<SyscallSlice> {
  for await (const s of syscallSteps(readSyscallEvents(trace, options), options)) {
    if (s.kind !== "enter") yield s.call;
  }
}
