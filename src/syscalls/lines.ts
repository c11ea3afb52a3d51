// strace-style lines from the model's syscall steps: `name(args) = ret`, errors as `-1 ENOENT (...)`,
// a call cut by another thread's as `<unfinished ...>` and `<... name resumed>`, -T durations, -t/-tt/-ttt.
import type { SyscallSlice, SyscallStep, SyscallStepKind } from "../model/index.js";
import { formatArg } from "./args.js";
import { errnoMessage, errnoName, errnoOf } from "./errno.js";
import { CLONE_FLAGS } from "./values.js";
import { findSyscall, findSyscallByName, type SyscallInfo } from "./x86-64.js";

/** Options of the line writer. */
export interface SyscallLineOptions {
  /** -T: append ` <seconds>` of each call. */
  durations?: boolean;
  /** -t, -tt, -ttt. Default "none". */
  timestamps?: "none" | "t" | "tt" | "ttt";
  /** Wall-clock ns minus trace ns, for -t/-tt/-ttt; without it they show the trace clock's seconds. */
  wallOffsetNs?: bigint;
  /** Starts each line with `comm/tid `. Default true. */
  threadPrefix?: boolean;
  /** Calls to show (others are invisible, as strace's -e trace=). Default: all. */
  select?: (name: string) => boolean;
  /** -z: only calls that succeeded; -Z: only calls that failed. Both print whole lines at the exit. */
  status?: "all" | "success" | "failed";
  /** The strings known for a call's `path` arguments, by argument index (default: the slice's own `strings`). */
  stringsOf?: (call: SyscallSlice) => readonly (string | undefined)[] | undefined;
}

/** O_CREAT | __O_TMPFILE. */
const O_CREAT_OR_TMPFILE = 0o100 | 0o20000000;

/** strace's column for ` = `: the call text is padded to this width. */
const RESULT_COLUMN = 39;

/** The table entry for `call`, or undefined for a call we do not know: by number when its name agrees (the usual case, no string hashing). */
function infoOf(call: SyscallSlice): SyscallInfo | undefined {
  const info = findSyscall(call.nr);
  return info !== undefined && info.name === call.name ? info : findSyscallByName(call.name);
}

/** The return value as strace prints it: `3`, `0x7f...`, `-1 ENOENT (No such file or directory)`, `?`. */
export function formatReturn(call: SyscallSlice): string {
  const ret = call.ret;
  if (ret === undefined) return "?";
  const errno = errnoOf(ret);
  if (errno !== 0) {
    const name = errnoName(errno);
    if (name === undefined) return `-1 E??? (errno ${errno})`;
    const text = `${name} (${errnoMessage(errno)})`;
    return errno >= 512 ? `? ${text}` : `-1 ${text}`;
  }
  if (infoOf(call)?.ret === "hex") return `0x${BigInt.asUintN(64, ret).toString(16)}`;
  return String(ret);
}

/** The argument list of `call` (without parentheses), strings where `strings` has them. */
export function formatArgs(call: SyscallSlice, strings?: readonly (string | undefined)[]): string {
  const info = infoOf(call);
  const a = call.args;
  if (info === undefined) return a.map((v) => (v === 0n ? "0" : `0x${v.toString(16)}`)).join(", ");
  if (info.name === "clone" && a.length >= 5) return formatClone(a);
  const parts: string[] = [];
  let n = Math.min(info.args.length, a.length);
  // The mode of open/openat means something only when a file may be created.
  const flagsAt = info.args.indexOf("oflags");
  // futex: FUTEX_WAKE takes 3 arguments and FUTEX_WAIT 4; strace prints only those.
  if (info.name === "futex" && n >= 2) {
    const cmd = Number(a[1]! & 0x7fn);
    if (cmd === 1) n = 3;
    else if (cmd === 0) n = 4;
    else if ((cmd === 9 || cmd === 10) && a.length >= 6) return formatFutexBitset(info, a);
  }
  if (info.args[n - 1] === "mode" && flagsAt >= 0 && flagsAt < n && (Number(BigInt.asUintN(32, a[flagsAt]!)) & O_CREAT_OR_TMPFILE) === 0) n--;
  for (let i = 0; i < n; i++) parts.push(formatArg(info.args[i]!, a[i]!, strings?.[i]));
  return parts.join(", ");
}

/** FUTEX_WAIT_BITSET / FUTEX_WAKE_BITSET: uaddr, op, val, timeout (wait only), then the bitset (uaddr2 unused). */
function formatFutexBitset(info: SyscallInfo, a: readonly bigint[]): string {
  const parts = [0, 1, 2].map((i) => formatArg(info.args[i]!, a[i]!));
  if (Number(a[1]! & 0x7fn) === 9) parts.push(formatArg("ptr", a[3]!));
  const bitset = BigInt.asUintN(32, a[5]!);
  parts.push(bitset === 0xffffffffn ? "FUTEX_BITSET_MATCH_ANY" : `0x${bitset.toString(16)}`);
  return parts.join(", ");
}

/** clone(2) on x86_64 as strace names its arguments (flags, stack, parent_tid, child_tid, tls). */
function formatClone(a: readonly bigint[]): string {
  const flags = Number(BigInt.asUintN(32, a[0]!));
  const bit = (name: string): boolean => (flags & CLONE_FLAGS.find(([, n]) => n === name)![0]) !== 0;
  const ptr = (v: bigint): string => (v === 0n ? "NULL" : `0x${v.toString(16)}`);
  const parts = [`child_stack=${ptr(a[1]!)}`, `flags=${formatArg("clone", a[0]!)}`];
  if (bit("CLONE_PARENT_SETTID") || bit("CLONE_PIDFD")) parts.push(`parent_tid=${ptr(a[2]!)}`);
  if (bit("CLONE_SETTLS")) parts.push(`tls=${ptr(a[4]!)}`);
  if (bit("CLONE_CHILD_SETTID") || bit("CLONE_CHILD_CLEARTID")) parts.push(`child_tidptr=${ptr(a[3]!)}`);
  return parts.join(", ");
}

/** A call's padded `name(args)` and its return value's text. */
interface CallText {
  name: string;
  args: readonly bigint[];
  strings: readonly (string | undefined)[] | undefined;
  text: string;
  ret: bigint | undefined;
  retText: string;
  /** The last whole line made from it, and its head (thread prefix and time). */
  head: string;
  line: string | undefined;
  /** `line` as the consumer keeps it (see LineMemo). */
  memo: LineMemo;
}

/**
 * Handed out with a line that may come again unchanged (a thread repeating a call): the consumer may keep
 * what it made of the line here (its UTF-8 bytes), until the writer hands out another memo for that call.
 */
export interface LineMemo {
  seen?: boolean;
  bytes?: Uint8Array;
}

const CALL_CACHE_SIZE = 64;

/** A thread's `comm/tid ` text, for its name at the time. */
interface Prefix {
  tid: number;
  comm: string;
  text: string;
}

/** Spaces by count, up to the result column. */
const SPACES = Array.from({ length: RESULT_COLUMN + 1 }, (_, n) => " ".repeat(n));

function pad(text: string): string {
  return text.length >= RESULT_COLUMN ? text : text + SPACES[RESULT_COLUMN - text.length]!;
}

/** Seconds with 6 decimals from nanoseconds. */
function seconds(ns: bigint): string {
  const us = ns / 1000n;
  return `${us / 1000000n}.${String(us % 1000000n).padStart(6, "0")}`;
}

/**
 * Turns the model's steps into strace lines, in order. Lines go to `out` without newline.
 * @example
 * const w = new SyscallLineWriter((l) => console.log(l), { durations: true });
 * for await (const s of syscallSteps(readSyscallEvents(trace), { syscallName })) w.step(s);
 * w.finish();
 */
export class SyscallLineWriter {
  /** The call whose entry is shown next, if nothing else comes first. */
  private pending: SyscallSlice | undefined;
  /** Threads whose open call was printed as `<unfinished ...>`. */
  private readonly cut = new Set<number>();
  /** Threads whose last call never returns and is already printed (`= ?`). */
  private readonly done = new Set<number>();
  /** `comm/tid ` by thread. */
  private readonly prefixes = new Map<number, Prefix>();
  private lastPrefix: Prefix = { tid: NaN, comm: "", text: "" };
  /** The text of the last call of each number (modulo the size), while its arguments array is the same. */
  private readonly callCache: (CallText | undefined)[] = new Array<CallText | undefined>(CALL_CACHE_SIZE).fill(undefined);
  private readonly o: Required<Omit<SyscallLineOptions, "wallOffsetNs" | "select" | "stringsOf">> & SyscallLineOptions;

  /** The memo of the line full() returned, when it may repeat. */
  private memo: LineMemo | undefined;

  constructor(
    private readonly out: (line: string, memo?: LineMemo) => void,
    options: SyscallLineOptions = {},
  ) {
    this.o = {
      ...options,
      durations: options.durations ?? false,
      timestamps: options.timestamps ?? "none",
      threadPrefix: options.threadPrefix ?? true,
      status: options.status ?? "all",
    };
  }

  /** Handles one step of the model. */
  step(s: SyscallStep): void {
    this.call(s.kind, s.call);
  }

  /** Handles one step of the model, given as its kind and call (SyscallPairer.forCalls). */
  call(kind: SyscallStepKind, c: SyscallSlice): void {
    if (this.o.select !== undefined && !this.o.select(c.name)) return;
    const whole = this.o.status !== "all";
    if (kind === "enter") {
      if (whole) return;
      this.cutPending();
      if (infoOf(c)?.ret === "none") {
        this.out(this.head(c) + pad(`${c.name}(${this.args(c)})`) + " = ?");
        this.done.add(c.tid);
        return;
      }
      this.pending = c;
      return;
    }
    if (kind === "exit") {
      if (whole) {
        const failed = c.ret !== undefined && errnoOf(c.ret) !== 0;
        if (failed === (this.o.status === "success")) return;
        this.out(this.full(c), this.memo);
        return;
      }
      if (this.pending !== undefined && this.pending.tid === c.tid && !c.enterMissing) {
        this.pending = undefined;
        this.out(this.full(c), this.memo);
      } else {
        this.cutPending();
        this.cut.delete(c.tid);
        this.out(this.head(c) + pad(`<... ${c.name} resumed>)`) + ` = ${formatReturn(c)}${this.duration(c)}`);
      }
      return;
    }
    // unfinished: the exit will not come
    if (this.done.delete(c.tid)) return;
    if (whole) return;
    if (this.pending !== undefined && this.pending.tid === c.tid) {
      this.pending = undefined;
      this.out(this.head(c) + `${c.name}(${this.args(c)} <unfinished ...>)`);
    }
    this.cut.delete(c.tid);
  }

  /** Ends the output: a call whose entry is still pending is shown unfinished. */
  finish(): void {
    this.cutPending();
  }

  private cutPending(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    this.cut.add(p.tid);
    this.out(this.head(p) + `${p.name}(${this.args(p)} <unfinished ...>`);
  }

  private args(c: SyscallSlice): string {
    return formatArgs(c, this.o.stringsOf?.(c) ?? c.strings);
  }

  private full(c: SyscallSlice): string {
    this.memo = undefined;
    if (c.enterMissing) return this.head(c) + pad(`<... ${c.name} resumed>)`) + ` = ${formatReturn(c)}${this.duration(c)}`;
    // A loop repeating a call: the model hands out the same arguments array, so its text is made once.
    const slot = c.nr & (CALL_CACHE_SIZE - 1);
    let e = this.callCache[slot];
    if (e === undefined || e.args !== c.args || e.strings !== c.strings || e.name !== c.name || this.o.stringsOf !== undefined) {
      e = { name: c.name, args: c.args, strings: c.strings, text: pad(`${c.name}(${this.args(c)})`), ret: c.ret, retText: formatReturn(c), head: "", line: undefined, memo: {} };
      this.callCache[slot] = e;
    } else if (e.ret !== c.ret) {
      e.ret = c.ret;
      e.retText = formatReturn(c);
      e.line = undefined;
    }
    const head = this.head(c);
    if (this.o.durations) return head + e.text + " = " + e.retText + this.duration(c);
    // The same thread repeating the call with the same result: the very same line (no string per call).
    if (e.line === undefined || e.head !== head) {
      e.head = head;
      e.line = head + e.text + " = " + e.retText;
      e.memo = {};
    }
    this.memo = e.memo;
    return e.line;
  }

  private duration(c: SyscallSlice): string {
    return this.o.durations && c.dur !== undefined ? ` <${seconds(c.dur)}>` : "";
  }

  private head(c: SyscallSlice): string {
    let h = "";
    if (this.o.threadPrefix) {
      // One string per thread and name, not one per line; the last thread's at hand (a flood is one thread's).
      let p = this.lastPrefix;
      if (p.tid !== c.tid || p.comm !== c.comm) {
        p = this.prefixes.get(c.tid) ?? p;
        if (p.tid !== c.tid || p.comm !== c.comm) this.prefixes.set(c.tid, (p = { tid: c.tid, comm: c.comm, text: `${c.comm}/${c.tid} ` }));
        this.lastPrefix = p;
      }
      h = p.text;
    }
    if (this.o.timestamps !== "none") h += this.time(c.ts) + " ";
    return h;
  }

  private time(ts: bigint): string {
    if (this.o.wallOffsetNs === undefined || this.o.timestamps === "ttt") return seconds(ts + (this.o.wallOffsetNs ?? 0n));
    const wall = ts + this.o.wallOffsetNs;
    const d = new Date(Number(wall / 1000000n));
    const hms = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
    return this.o.timestamps === "t" ? hms : `${hms}.${String((wall / 1000n) % 1000000n).padStart(6, "0")}`;
  }
}
