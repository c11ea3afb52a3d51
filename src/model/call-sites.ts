// Call sites (`ftk hist`, trace-cmd 3.1.6 `hist`): the call stacks that function, function_graph and
// kernel_stack records imply, counted per task as trees from each leaf out to its callers. trace-cmd
// rebuilds one stack at a time as it reads each CPU to its end (it does not merge CPUs by time); a
// task switch parks the stack and takes back the new task's. The counts follow those rules exactly,
// so that the histogram equals trace-cmd's.
import type { EventFormat, FieldDef } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import type { CallSiteChain, CallSiteHistogram } from "../report/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { TraceFileError } from "../base/index.js";
import { CommList } from "./comm-list.js";

/**
 * A frame's identity: a kallsyms index (>= 0), an event (-2 - id) or UNKNOWN. trace-cmd compares name
 * pointers, so two symbols that share a name are still two frames.
 */
type Frame = number;
const UNKNOWN: Frame = -1;

/** A node of the tree under one task: `frame` called from each of `parents`. */
interface Node extends CallSiteChain {
  frame: Frame;
  /** Order made, for trace-cmd's order among equal counts (the one made last first). */
  seq: number;
  parents: Node[];
}

/**
 * The callers of a node that has none yet: shared, never pushed to. A node's first caller gets an array
 * of one (a push into an empty array reserves 16 slots; most nodes of a large tree keep one caller).
 */
const NO_PARENTS: Node[] = [];

interface Saved {
  pid: number;
  ips: Frame[];
}

/** Options of readCallSites(). */
export interface ReadCallSitesOptions {
  /** All tasks in one tree (`hist -P`). */
  compact?: boolean;
}

/** Reads `width` bytes at `at` of a record as an unsigned number split in halves [hi, lo]. */
function readWord(rec: RawRecord, at: number, width: number, le: boolean): [number, number] {
  if (at + width > rec.len) return [0, 0];
  if (width === 4) return [0, rec.view.getUint32(rec.pos + at, le)];
  const lo = rec.view.getUint32(rec.pos + at + (le ? 0 : 4), le);
  const hi = rec.view.getUint32(rec.pos + at + (le ? 4 : 0), le);
  return [hi, lo];
}

function readUnsigned(rec: RawRecord, f: FieldDef | undefined, le: boolean): number {
  if (f === undefined || f.offset + f.size > rec.len) return 0;
  const p = rec.pos + f.offset;
  switch (f.size) {
    case 1:
      return rec.buf[p]!;
    case 2:
      return rec.view.getUint16(p, le);
    case 4:
      return rec.view.getUint32(p, le);
    case 8: {
      const [hi, lo] = readWord(rec, f.offset, 8, le);
      return hi * 4294967296 + lo;
    }
    default:
      return 0;
  }
}

function readComm(rec: RawRecord, f: FieldDef | undefined): string | undefined {
  if (f === undefined || f.offset >= rec.len) return undefined;
  const start = rec.pos + f.offset;
  const end = Math.min(rec.pos + rec.len, start + Math.max(f.size, 1));
  let nul = start;
  while (nul < end && rec.buf[nul] !== 0) nul++;
  return Buffer.from(rec.buf.buffer, rec.buf.byteOffset + start, nul - start).toString("latin1");
}

/** The state trace-cmd keeps while reading one buffer. */
class CallSiteBuilder {
  private ips: Frame[] = [];
  private currentPid = -1;
  private saved: Saved[] = [];
  private pendingPid = -1;
  private pendingIps: Frame[] = [];
  private readonly roots = new Map<number, Node>();
  /** Every node made under a root (in the order made): the top-level chains. */
  readonly chains: Node[] = [];
  total = 0;
  private seq = 0;

  constructor(
    private readonly compact: boolean,
    private readonly nameOf: (f: Frame) => string | undefined,
  ) {}

  private node(frame: Frame, pid: number): Node {
    return { frame, seq: this.seq++, name: this.nameOf(frame), count: 0, event: false, pid, parents: NO_PARENTS };
  }

  private resetStack(): void {
    this.currentPid = -1;
    this.ips = [];
  }

  private saveStack(): void {
    this.saved.unshift({ pid: this.currentPid, ips: this.ips });
    this.resetStack();
  }

  private restoreStack(pid: number): void {
    const i = this.saved.findIndex((s) => s.pid === pid);
    if (i < 0) return;
    const s = this.saved[i]!;
    this.saved.splice(i, 1);
    this.currentPid = s.pid;
    this.ips = s.ips;
  }

  /** Counts one stack (outermost first) into its task's tree, from the leaf outwards. */
  saveChain(pid: number, stack: readonly Frame[], event: boolean): void {
    const key = this.compact ? 0 : pid;
    let root = this.roots.get(key);
    if (root === undefined) this.roots.set(key, (root = { ...this.node(UNKNOWN, key), name: undefined }));
    let at: Node = root;
    for (let size = stack.length; ; ) {
      // A node whose frame is unknown counts as a root too, as in trace-cmd.
      const rootLike = at.frame === UNKNOWN;
      if (rootLike) this.total++;
      at.count++;
      if (size === 0) return;
      size--;
      const frame = stack[size]!;
      let next = at.parents.find((p) => p.frame === frame);
      if (next === undefined) {
        next = this.node(frame, key);
        next.event = event;
        if (at.parents === NO_PARENTS) at.parents = [next];
        else at.parents.push(next);
        if (rootLike) this.chains.push(next);
      }
      at = next;
      event = false;
    }
  }

  private switchTo(pid: number): void {
    if (this.currentPid >= 0 && pid !== this.currentPid) {
      this.saveStack();
      this.restoreStack(pid);
    }
    this.currentPid = pid;
  }

  function(pid: number, func: Frame, parent: Frame): void {
    this.switchTo(pid);
    const ips = this.ips;
    if (ips.length > 0) {
      if (ips[ips.length - 1] === parent) ips.push(func);
      else {
        this.saveChain(pid, ips, false);
        while (ips.length > 0) {
          ips.pop();
          if (ips.length > 0 && ips[ips.length - 1] === parent) {
            ips.push(func);
            break;
          }
        }
      }
    }
    if (ips.length === 0) ips.push(parent, func);
  }

  graphEntry(pid: number, func: Frame, depth: number): void {
    this.switchTo(pid);
    if (depth !== this.ips.length) {
      this.saveChain(pid, this.ips, false);
      if (this.ips.length > depth) this.ips.length = depth;
    }
    this.ips.push(func);
  }

  graphExit(pid: number, depth: number): void {
    this.switchTo(pid);
    if (depth !== this.ips.length) {
      this.saveChain(pid, this.ips, false);
      if (this.ips.length > depth) this.ips.length = depth;
    }
  }

  /** A kernel_stack record: `frames` outermost first (unknown addresses already left out). */
  kernelStack(pid: number, frames: readonly Frame[]): void {
    if (this.pendingPid >= 0 && pid !== this.pendingPid) {
      this.pendingPid = -1;
      this.pendingIps = [];
      return;
    }
    let restore = false;
    if (this.pendingPid >= 0) {
      if (this.currentPid >= 0) {
        this.saveStack();
        restore = true;
      }
    } else if (this.currentPid >= 0) {
      // A stack after a function record: its leaf goes on top of the stack trace.
      this.pendingPid = this.currentPid;
      this.pendingIps = this.ips;
      this.resetStack();
    }
    this.currentPid = pid;
    this.ips.push(...frames);
    if (this.pendingPid >= 0) {
      // trace-cmd reads before the array when the pending stack is empty; ftk adds nothing.
      if (this.pendingIps.length > 0) this.ips.push(this.pendingIps[this.pendingIps.length - 1]!);
      this.pendingPid = -1;
      this.pendingIps = [];
    }
    this.saveChain(this.currentPid, this.ips, true);
    if (restore) this.restoreStack(this.currentPid);
  }

  /** Any other event: it waits for a kernel_stack that may follow. */
  event(pid: number, frame: Frame): void {
    if (this.pendingPid >= 0) {
      this.saveChain(this.pendingPid, this.pendingIps, true);
      this.pendingPid = -1;
      this.pendingIps = [];
    }
    this.pendingPid = pid;
    this.pendingIps = [...this.ips, frame];
  }

  /** Events were lost: the current stack ends here. */
  flush(): void {
    if (this.currentPid < 0) return;
    this.saveChain(this.currentPid, this.ips, false);
    this.resetStack();
  }

  finish(): void {
    if (this.currentPid >= 0) this.saveChain(this.currentPid, this.ips, false);
    if (this.pendingPid >= 0) this.saveChain(this.pendingPid, this.pendingIps, true);
    while (this.saved.length > 0) {
      this.restoreStack(this.saved[0]!.pid);
      this.saveChain(this.currentPid, this.ips, false);
    }
  }
}

/** Sorts by count, highest first; among equal counts the one made last comes first, as in trace-cmd. */
function sortChains(nodes: Node[]): Node[] {
  return nodes.sort((a, b) => b.count - a.count || b.seq - a.seq);
}

function sortTree(n: Node): void {
  sortChains(n.parents);
  for (const p of n.parents) sortTree(p);
}

/**
 * The call-site histogram of each buffer of a trace, as `trace-cmd hist` counts it: the instances when
 * the file has any, else the top buffer. Throws TraceFileError for a latency trace or a file without
 * records.
 * @example
 * for (const h of await readCallSites(await openTrace("trace.dat"))) process.stdout.write(callSiteText(h));
 */
export async function readCallSites(trace: TraceFile, options: ReadCallSitesOptions = {}): Promise<CallSiteHistogram[]> {
  if (trace.latencyText !== undefined) throw new TraceFileError(`'${trace.path}' is a latency trace: hist reads flyrecord files only`, { path: trace.path });
  const table = trace.events;
  const kallsyms = trace.kallsymsTable;
  const le = trace.littleEndian;
  const longSize = trace.longSize;
  const find = (system: string, name: string): EventFormat | undefined => table.all().find((e) => e.system === system && e.name === name);
  const fn = find("ftrace", "function");
  const ge = find("ftrace", "funcgraph_entry");
  const gx = find("ftrace", "funcgraph_exit");
  const ks = find("ftrace", "kernel_stack");
  const wakeup = find("sched", "sched_wakeup");
  const wakeupNew = find("sched", "sched_wakeup_new");
  const sw = find("sched", "sched_switch");
  const fnIp = fn?.findField("ip");
  const fnParent = fn?.findField("parent_ip");
  const geFunc = ge?.findField("func");
  const geDepth = ge?.findField("depth");
  const gxDepth = gx?.findField("depth");
  const ksCaller = ks?.findField("caller");

  const symbolAt = (at: number, width: number, rec: RawRecord): Frame => {
    const [hi, lo] = readWord(rec, at, width, le);
    return kallsyms.indexOfHL(hi, lo);
  };
  const symbolOf = (f: FieldDef | undefined, rec: RawRecord): Frame => (f === undefined ? UNKNOWN : symbolAt(f.offset, Math.min(f.size, 8), rec));
  const nameOf = (f: Frame): string | undefined => (f >= 0 ? kallsyms.nameAt(f) : f === UNKNOWN ? undefined : table.byId(-2 - f)?.name);

  const buffers = trace.buffers.length > 1 ? trace.buffers.slice(1).map((_, i) => i + 1) : [0];
  const out: CallSiteHistogram[] = [];
  for (const b of buffers) {
    const info = trace.buffers[b]!;
    const cpus = Math.max(trace.cpus, ...info.cpus.map((c) => c.cpu + 1));
    let first: EventFormat | undefined;
    let any = false;
    for (let cpu = 0; cpu < cpus && !any; cpu++) {
      const s = trace.cpuStream(b, cpu);
      if (await s.advance()) {
        any = true;
        first = table.byId(s.record.view.getUint16(s.record.pos, le));
      }
    }
    if (!any) throw new TraceFileError(`no records in '${trace.path}'${info.name === "" ? "" : ` (buffer '${info.name}')`}: nothing to count`, { path: trace.path });
    const typeField = first?.findField("common_type") ?? { offset: 0, size: 2 };
    const pidField = first?.findField("common_pid");
    if (pidField === undefined) throw new TraceFileError(`'${trace.path}': its events have no common_pid field`, { path: trace.path });
    const tasks = CommList.parse(trace.savedCmdlines);
    const builder = new CallSiteBuilder(options.compact === true, nameOf);
    const register = (ev: EventFormat, rec: RawRecord, commName: string, pidName: string): void => {
      const pid = readUnsigned(rec, ev.findField(pidName), le) | 0;
      const comm = readComm(rec, ev.findField(commName));
      if (comm !== undefined) tasks.register(pid, comm);
    };

    for (let cpu = 0; cpu < cpus; cpu++) {
      const s = trace.cpuStream(b, cpu);
      for (;;) {
        let r = s.advanceSync();
        if (r === "need-io") r = await s.advance();
        if (!r) break;
        const rec = s.record;
        if (rec.missedEvents !== 0) builder.flush();
        const type = readUnsigned(rec, typeField as FieldDef, le);
        const pid = readUnsigned(rec, pidField, le) | 0;
        if (fn !== undefined && type === fn.id) builder.function(pid, symbolOf(fnIp, rec), symbolOf(fnParent, rec));
        else if (ge !== undefined && type === ge.id) builder.graphEntry(pid, symbolOf(geFunc, rec), readUnsigned(rec, geDepth, le));
        else if (gx !== undefined && type === gx.id) builder.graphExit(pid, readUnsigned(rec, gxDepth, le));
        else if (ks !== undefined && type === ks.id) builder.kernelStack(pid, ksCaller === undefined ? [] : stackFrames(rec, ksCaller.offset));
        else {
          const ev = table.byId(type);
          if (ev === undefined) continue;
          if (ev === wakeup || ev === wakeupNew) register(ev, rec, "comm", "pid");
          else if (ev === sw) {
            register(ev, rec, "prev_comm", "prev_pid");
            register(ev, rec, "next_comm", "next_pid");
          }
          builder.event(pid, -2 - ev.id);
        }
      }
    }
    builder.finish();
    for (const c of builder.chains) sortTree(c as Node);
    const chains = sortChains(builder.chains);
    out.push({ buffer: info.name, compact: options.compact === true, total: builder.total, chains, comm: (pid) => tasks.comm(pid) });
  }
  return out;

  /** The frames of a kernel_stack record, outermost first: words up to the first -1 (low 32 bits). */
  function stackFrames(rec: RawRecord, offset: number): Frame[] {
    let end = offset;
    while (end < rec.len) {
      // trace-cmd stops at a word whose low 32 bits are all ones, whatever the long size.
      if (readWord(rec, end, longSize, le)[1] === 0xffffffff) break;
      end += longSize;
    }
    const frames: Frame[] = [];
    for (let at = end - longSize; at >= offset; at -= longSize) {
      const f = symbolAt(at, longSize, rec);
      if (f >= 0) frames.push(f);
    }
    return frames;
  }
}
