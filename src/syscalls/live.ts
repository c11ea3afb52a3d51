// `ftk trace` live: the recorder's pages are decoded while the command runs, so reading, pairing and
// printing overlap with it instead of following it. Records are merged across CPUs up to the time the
// previous read round began, in the trace clock (the CPUs' stats say its `now ts` at the start of each
// round; the clock must agree between CPUs: see liveTraceClock), and each round decodes for a bounded
// time, so that the next read comes before the ring buffer fills; pages not decoded yet wait in memory,
// past 16 MiB in a file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openStreamTrace, type RecordResult, type StreamInfo, type StreamView } from "../record/index.js";
import { rawSyscallRecords, type RawSyscallRecords, type SyscallPairer } from "../model/index.js";
import { LiveRecordMerge, TraceEventMaker } from "../report/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import type { TraceFile } from "../tracedat/index.js";

/** Longest decoding stretch per read round, ms: a dd flood fills 16 MiB of ring buffer in ~250 ms. */
const ROUND_BUDGET_MS = 5;

/** execve and execveat (x86_64): a thread's name changes when one succeeds. */
const EXECVE_NR = 59;
const EXECVEAT_NR = 322;

/** The events to decode, by system. */
export interface LiveSyscallOptions {
  /** Systems whose events are handed on (raw_syscalls and the string probes' group). */
  systems: readonly string[];
  /** Where the metadata file goes (a temporary directory). */
  dir: string;
  /** The model's pairer, fed the records in time order. */
  pairer: SyscallPairer;
  /** After each read round's decoding (write the collected lines). */
  onRound?: () => void;
  /** The command's pid, when it is started. */
  onCommand?: (pid: number) => void;
}

/** A StreamView that decodes pages into events as they are read; `end()` hands on the rest. */
export class LiveSyscallView implements StreamView {
  /** Events lost (ring buffer overruns), from the kernel's stats at the end. */
  eventsLost = 0;
  private trace: TraceFile | undefined;
  private maker: TraceEventMaker | undefined;
  private merge: LiveRecordMerge | undefined;
  private readonly wanted: boolean[] = [];
  private le = true;
  /** Offset of common_pid in a record (-1: none). */
  private pidAt = -1;
  /** The last record's thread and its name: a flood comes from one thread at a time. */
  private lastPid = -1;
  private lastComm = "";
  private raw: RawSyscallRecords | undefined;
  private readonly comms = new Map<number, string>();
  private cmdlinesPath = "";
  private savedAtBegin = "";
  /** Records stamped up to here have all been read (the start of the round before the last complete one). */
  private mark = -Infinity;
  /** The trace clock at the start of the previous round (-Infinity when unknown). */
  private lastRound = -Infinity;
  private readonly emit = (rec: RawRecord): void => this.record(rec);

  constructor(private readonly o: LiveSyscallOptions) {}

  async begin(info: StreamInfo): Promise<void> {
    // The names saved when tracing began stay here as text, searched per pid (comm()): in the file, the
    // first decoded probe event would parse them all (~6000 lines here, ~14 ms), for a name replaced anyway.
    const saved = info.metadata.savedCmdlines;
    this.savedAtBegin = typeof saved === "string" ? saved : Buffer.from(saved).toString("latin1");
    const trace = (this.trace = await openStreamTrace({ ...info, metadata: { ...info.metadata, savedCmdlines: "" } }, join(this.o.dir, "meta.dat")));
    this.maker = new TraceEventMaker(trace, { arrays: true, faults: true });
    this.merge = new LiveRecordMerge(trace.layout, { spill: join(this.o.dir, "pages.spill") });
    this.raw = rawSyscallRecords(trace);
    for (const ev of trace.events.all()) this.wanted[ev.id] = this.o.systems.includes(ev.system);
    this.le = trace.events.info.littleEndian;
    this.pidAt = trace.events.all()[0]?.findField("common_pid")?.offset ?? -1;
    this.cmdlinesPath = join(info.tracefsRoot, "saved_cmdlines");
  }

  started(pid: number): void {
    this.o.onCommand?.(pid);
  }

  pages(_instance: string, cpu: number, pages: Uint8Array): void {
    this.merge?.push(cpu, pages);
  }

  /** Pages are read straight into the merge's memory. */
  room(bytes: number): Uint8Array {
    return this.merge!.room(bytes);
  }

  /** The pages being written are read every 50 ms: lines come at most that late. */
  readonly partialEveryMs = 50;

  flush(complete: boolean, clockNs?: number): boolean {
    // The previous round began before this one: a complete round read all that was stamped by then.
    if (complete && this.lastRound > this.mark) this.mark = this.lastRound;
    this.lastRound = clockNs ?? -Infinity;
    const done = this.merge?.drain(this.mark, this.emit, performance.now() + ROUND_BUDGET_MS) ?? true;
    this.o.onRound?.();
    return !done;
  }

  done(buffers: RecordResult["buffers"]): void {
    this.eventsLost = buffers.reduce((t, b) => t + b.cpus.reduce((u, c) => u + c.overrun + c.dropped, 0), 0);
  }

  /** Hands on every record still queued, yielding between stretches (the restore runs meanwhile). */
  async drain(): Promise<void> {
    while (this.merge?.drain(Infinity, this.emit, performance.now() + ROUND_BUDGET_MS) === false) {
      this.o.onRound?.();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.o.onRound?.();
  }

  async close(): Promise<void> {
    this.merge?.close();
    await this.trace?.close();
  }

  private record(rec: RawRecord): void {
    const id = rec.view.getUint16(rec.pos, this.le);
    if (this.wanted[id] !== true) return;
    const pid = this.pidAt < 0 ? 0 : rec.view.getInt32(rec.pos + this.pidAt, this.le);
    const raw = this.raw;
    const comm = pid === this.lastPid && (raw === undefined || id !== raw.exitId || !this.isExec(rec)) ? this.lastComm : this.comm(pid, rec);
    if (raw !== undefined && this.o.pairer.addRecord(rec, raw, pid, comm)) return;
    const ev = this.maker!.make(rec, this.trace!.events.byId(id)!, pid);
    ev.comm = comm;
    this.o.pairer.add(ev);
  }

  /** The thread's name: read from /proc when first seen and after a successful exec, else saved_cmdlines. */
  private comm(pid: number, rec: RawRecord): string {
    let comm = this.comms.get(pid);
    if (comm === undefined || this.isExec(rec)) {
      try {
        comm = readFileSync(`/proc/${pid}/comm`, "latin1").replace(/\n$/, "");
      } catch {
        comm = this.savedComm(pid) ?? (pid === 0 ? "<idle>" : findComm(this.savedAtBegin, pid) ?? "<...>");
      }
      this.comms.set(pid, comm);
    }
    this.lastPid = pid;
    this.lastComm = comm;
    return comm;
  }

  /** A successful execve/execveat's exit. */
  private isExec(rec: RawRecord): boolean {
    const raw = this.raw;
    if (raw === undefined || rec.view.getUint16(rec.pos, raw.le) !== raw.exitId) return false;
    // The low word first: no BigInt for the other calls.
    const nr = rec.view.getInt32(rec.pos + raw.exitNr + (raw.le ? 0 : 4), raw.le);
    // Compared, not looked up in a set: every exit record of a flood asks.
    return (nr === EXECVE_NR || nr === EXECVEAT_NR) && rec.view.getBigInt64(rec.pos + raw.retAt, raw.le) === 0n;
  }

  private savedComm(pid: number): string | undefined {
    let text = "";
    try {
      text = readFileSync(this.cmdlinesPath, "latin1");
    } catch {
      return undefined;
    }
    return findComm(text, pid);
  }
}

/** The name saved_cmdlines text (`<pid> <comm>` lines) gives `pid`, as TaskNames.parse() reads it; undefined when none. */
export function findComm(savedCmdlines: string, pid: number): string | undefined {
  return new RegExp(`^\\s*${pid} (.*)$`, "m").exec(savedCmdlines)?.[1];
}
