// The text of `report --profile` as trace-cmd 3.1.6 prints it: per task (or --by-comm group) its events,
// switch states first, then wakeups, then by event id and total time, each with its kernel stacks as a
// tree of call chains ordered by time (then count). The numbers come from model/TaskProfile.
import {
  asInt,
  compareValues,
  type ProfileEventStat,
  type ProfileStack,
  type ProfileTask,
  type ProfileValue,
  type TaskProfile,
} from "../model/index.js";

/** What the text needs from the file: function names, task names of pids, and the size of a kernel long. */
export interface ProfileSymbols {
  functionName(addr: bigint): string | undefined;
  comm(pid: number): string;
  longSize: 4 | 8;
}

const TASK_STATES = "RSDTtXZxKWP";
const SOFTIRQ_NAMES = ["HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "BLOCK_IOPOLL", "TASKLET", "SCHED", "HRTIMER", "RCU"];

/** `sec.usec` of a timestamp: the µs are rounded without a carry into the seconds (%lld.%06lld). */
function tsText(ts: number): string {
  const sec = Math.floor(ts / 1e9);
  const usec = Math.floor(((ts % 1e9) + 500) / 1000);
  return `${sec}.${String(usec).padStart(6, "0")}`;
}

function hex(v: ProfileValue): string {
  return v.toString(16);
}

function eventText(s: ProfileEventStat, sym: ProfileSymbols): string {
  const ev = s.event;
  const name = ev.format.name;
  switch (ev.print) {
    case "sched-switch": {
      let v = asInt(s.val);
      if (v === 0) return name + ":R";
      let t = name + ":";
      for (let i = 0; v !== 0 && i < TASK_STATES.length - 1; i++, v >>= 1) if (v & 1) t += TASK_STATES[i + 1];
      return t;
    }
    case "softirq": {
      const v = asInt(s.val);
      return v >= 0 && v < SOFTIRQ_NAMES.length ? `${name}:${SOFTIRQ_NAMES[v]}` : `${name}:${v}`;
    }
    case "syscall":
      return `${name}:${asInt(s.val)}`;
  }
  if (ev.funcName) {
    const fn = sym.functionName(BigInt(s.val));
    return fn !== undefined ? `func: ${fn}()` : `func: 0x${hex(s.val)}`;
  }
  return `${name}:0x${hex(s.val)}`;
}

function kindRank(s: ProfileEventStat): number {
  return s.event.kind === "sched-switch" ? 0 : s.event.kind === "wakeup" ? 1 : 2;
}

/**
 * trace-cmd's order of a task's events. Its remaining ties (same event, same total time) come out in the
 * order of its hash table, which depends on heap addresses and changes from run to run; ftk orders them
 * by value.
 */
function compareStats(a: ProfileEventStat, b: ProfileEventStat): number {
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return compareValues(a.val, b.val);
  if (ra === 2) {
    if (a.event.id !== b.event.id) return a.event.id - b.event.id;
    if (a.total !== b.total) return b.total - a.total;
  }
  return compareValues(a.val, b.val) || compareValues(a.searchVal, b.searchVal);
}

/** One node of the stack tree: a frame and what the stacks through it add up to. */
interface Chain {
  val: bigint;
  count: number;
  time: number;
  min: number;
  minTs: number;
  max: number;
  maxTs: number;
  avg: number;
  percent: number;
  children: Chain[];
}

/** Reads the frames of the stacks; words are little-endian, as trace-cmd reads them on this host. */
class Frames {
  private readonly stop: bigint;
  constructor(private readonly longSize: 4 | 8) {
    this.stop = longSize === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  }

  overflows(s: ProfileStack, level: number): boolean {
    return this.longSize * level > s.caller.length - this.longSize;
  }

  value(s: ProfileStack, level: number): bigint {
    const c = s.caller;
    const at = level * this.longSize;
    const lo = BigInt((c[at]! | (c[at + 1]! << 8) | (c[at + 2]! << 16) | (c[at + 3]! << 24)) >>> 0);
    if (this.longSize === 4) return lo;
    const hi = BigInt((c[at + 4]! | (c[at + 5]! << 8) | (c[at + 6]! << 16) | (c[at + 7]! << 24)) >>> 0);
    return (hi << 32n) | lo;
  }

  /** A stack ends where it overflows its bytes or at the all-ones word. */
  ends(s: ProfileStack, level: number): boolean {
    return this.overflows(s, level) || this.value(s, level) === this.stop;
  }

  /** The groups of stacks (sorted) that share the frame at `level`, as a sorted tree. */
  chains(stacks: ProfileStack[], level: number): Chain[] {
    const out: Chain[] = [];
    let start = 0;
    let count = 0;
    let time = 0;
    let min = 0;
    let minTs = 0;
    let max = 0;
    let maxTs = 0;
    for (let i = 0; i < stacks.length; i++) {
      const s = stacks[i]!;
      if (this.ends(s, level)) {
        start = i + 1;
        continue;
      }
      const val = this.value(s, level);
      count += s.count;
      time += s.time;
      if (s.max > max) {
        max = s.max;
        maxTs = s.maxTs;
      }
      if (i === start || s.min < min) {
        min = s.min;
        minTs = s.minTs;
      }
      const next = stacks[i + 1];
      if (next === undefined || this.overflows(next, level) || this.value(next, level) !== val) {
        const children = this.chains(stacks.slice(start, i + 1), level + 1);
        out.push({ val, count, time, min, minTs, max, maxTs, avg: Math.floor(time / count), percent: 0, children });
        start = i + 1;
        count = time = min = max = 0;
      }
    }
    out.sort((a, b) => b.time - a.time || b.count - a.count);
    const totalTime = out.reduce((t, c) => t + c.time, 0);
    const totalCount = out.reduce((t, c) => t + c.count, 0);
    for (const c of out) {
      if (totalTime > 0) c.percent = Math.floor((c.time * 100 + Math.floor(totalTime / 2)) / totalTime);
      else if (totalCount > 0) c.percent = Math.floor((c.count * 100 + Math.floor(totalCount / 2)) / totalCount);
    }
    return out;
  }
}

/** Stacks in trace-cmd's order: 32-bit words compared in turn, a shorter stack first. */
function compareStacks(a: ProfileStack, b: ProfileStack): number {
  const n = Math.min(a.caller.length, b.caller.length) & ~3;
  const va = new DataView(a.caller.buffer, a.caller.byteOffset, a.caller.byteLength);
  const vb = new DataView(b.caller.buffer, b.caller.byteOffset, b.caller.byteLength);
  for (let i = 0; i < n; i += 4) {
    const x = va.getUint32(i, true);
    const y = vb.getUint32(i, true);
    if (x !== y) return x > y ? 1 : -1;
  }
  return a.caller.length - b.caller.length;
}

/** Writes the profile text of one trace-cmd handle (file or instance). */
export class ProfileWriter {
  private readonly frames: Frames;

  constructor(
    private readonly sym: ProfileSymbols,
    private readonly write: (text: string) => void,
  ) {
    this.frames = new Frames(sym.longSize);
  }

  /** Global tasks with events, then --by-comm groups (by name), then the other tasks by pid. */
  profile(profile: TaskProfile, byComm: boolean): void {
    for (const t of profile.globalTasks()) if (t.events.size > 0) this.task(t);
    if (byComm) {
      const groups = profile.mergeByComm().sort((a, b) => (a.comm < b.comm ? -1 : a.comm > b.comm ? 1 : 0));
      for (const g of groups) {
        this.write(`\ngroup: ${g.comm}\n`);
        this.events(g.events);
      }
    }
    for (const t of profile.tasks().sort((a, b) => a.pid - b.pid)) if (t.group === undefined) this.task(t);
  }

  private task(t: ProfileTask): void {
    if (t.pid < 0) this.write(`${t.comm ?? "(null)"}\n`);
    else this.write(`\ntask: ${t.comm ?? this.sym.comm(t.pid)}-${t.pid}\n`);
    this.events(t.events);
  }

  private events(events: ProfileTask["events"]): void {
    const all: ProfileEventStat[] = [];
    for (const byVal of events.values()) for (const s of byVal.values()) all.push(s);
    all.sort(compareStats);
    for (const s of all) {
      let line = `  Event: ${eventText(s, this.sym)} (${s.count})`;
      if (s.total !== 0) {
        const avg = Math.floor(s.total / s.count);
        line += ` Total: ${s.total} Avg: ${avg} Max: ${s.max}(ts:${tsText(s.maxTs)}) Min:${s.min}(ts:${tsText(s.minTs)})`;
      }
      this.write(line + "\n");
      const stacks = [...s.stacks.values()].sort(compareStacks);
      this.chainLines(this.frames.chains(stacks, 0), 0, []);
    }
  }

  private frameText(val: bigint): string {
    const fn = this.sym.functionName(val);
    return fn !== undefined ? `${fn} (0x${val.toString(16)})` : `0x${val.toString(16)}`;
  }

  private chainLines(chains: Chain[], level: number, mask: boolean[]): void {
    if (chains.length === 0) return;
    const indent = (lvl: number): string => {
      let s = "";
      for (let p = 0; p <= lvl; p++) s += mask[p] === true ? "    | " : "      ";
      return s;
    };
    mask[level + 1] = true;
    this.write(indent(level + 1) + "\n");
    let bar = "|";
    for (let i = 0; i < chains.length; i++) {
      const c = chains[i]!;
      let text = indent(level) + "    + ";
      if (i === chains.length - 1) {
        mask[level + 1] = false;
        bar = " ";
      }
      text += this.frameText(c.val) + "\n";
      text += `${indent(level)}    ${bar}   ${c.percent}% (${c.count})`;
      if (c.time !== 0) text += ` time:${c.time} max:${c.max}(ts:${tsText(c.maxTs)}) min:${c.min}(ts:${tsText(c.minTs)}) avg:${c.avg}`;
      text += "\n";
      let child = c.children;
      while (child.length === 1) {
        text += `${indent(level)}    ${bar}    ${this.frameText(child[0]!.val)}\n`;
        child = child[0]!.children;
      }
      this.write(text);
      if (child.length > 0) this.chainLines(child, level + 1, mask);
      this.write(indent(level + 1) + "\n");
    }
    mask[level + 1] = false;
    this.write(indent(level) + "\n");
  }
}
