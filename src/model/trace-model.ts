// walkModel(): one pass over a trace's records (EventWalker, every buffer, report's merge order) that feeds
// the threads, sched, calls and counters trackers and hands each record and each fact to a sink as it
// completes. Memory holds per-thread and per-CPU state only, never per-event state.
import { EventWalker, TraceEventMaker } from "../report/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { CallTracker } from "./calls.js";
import { bindCounters } from "./counters.js";
import { HandlerTable, type ModelSink } from "./facts.js";
import { SchedTracker } from "./sched.js";
import { SyscallPairer } from "./syscalls.js";
import { bindThreadEvents } from "./thread-events.js";
import { ThreadTable } from "./threads.js";

/** Options of walkModel(). */
export interface WalkModelOptions {
  /** Stops the walk (what was read so far is still finished and returned). */
  signal?: AbortSignal;
  /** Called every `progressEvery` records and at the end: records read, and the fraction of the data read (0..1). */
  onProgress?: (records: number, fraction: number) => void;
  progressEvery?: number;
  /** Awaited between page batches (where the walk waits for I/O anyway): the place to write queued output. */
  drain?: () => Promise<void>;
  /** The thread table to fill (so that a sink can look threads up while the walk goes on). */
  threads?: ThreadTable;
}

/** What a walk leaves behind: the thread and process tables and the number of records read. */
export interface TraceModel {
  threads: ThreadTable;
  records: number;
}

/**
 * Streams every record of `trace` through the model, calling `sink` for each record and each fact.
 * @example
 * const { threads } = await walkModel(trace, { schedSlice: (ts, dur, cpu, utid) => console.log(ts, dur, cpu, utid) });
 */
export async function walkModel(trace: TraceFile, sink: ModelSink, options: WalkModelOptions = {}): Promise<TraceModel> {
  const threads = options.threads ?? new ThreadTable(trace.tasks);
  const handlers = new HandlerTable();
  bindThreadEvents(trace, threads, handlers);
  // Trackers whose facts nobody asked for are not bound (their pairing costs time on large traces).
  const sched = sink.schedSlice !== undefined || sink.threadState !== undefined ? new SchedTracker(trace, threads, sink, handlers) : undefined;
  const calls = sink.slice !== undefined ? new CallTracker(trace, sink, handlers) : undefined;
  if (sink.counter !== undefined) bindCounters(trace, sink, handlers);
  bindSyscalls(trace, threads, sink, handlers);
  const byId = handlers.byId;
  const onEvent = sink.event;
  const walker = await EventWalker.open(trace, { allBuffers: true });
  const every = options.progressEvery ?? 1 << 16;
  let records = 0;
  for (;;) {
    let r = walker.nextSync();
    if (r === "need-io") {
      if (options.signal?.aborted) break;
      if (options.drain !== undefined) await options.drain();
      r = await walker.next();
    }
    if (!r) break;
    const rec = walker.record;
    const ev = walker.event;
    const utid = threads.utidOf(walker.pid());
    if (ev !== undefined) byId[ev.id]?.(rec, utid);
    onEvent?.(rec, ev, utid, walker.bufferIndex);
    if (++records % every === 0) options.onProgress?.(records, walker.fractionRead());
  }
  handlers.finish();
  sched?.finish();
  calls?.finish();
  threads.finish();
  options.onProgress?.(records, 1);
  if (options.drain !== undefined) await options.drain();
  return { threads, records };
}

/** Syscall slices from SyscallPairer (syscalls.ts), fed the syscall events only (an object per such event). */
function bindSyscalls(trace: TraceFile, threads: ThreadTable, sink: ModelSink, handlers: HandlerTable): void {
  if (sink.slice === undefined) return;
  const slice = sink.slice.bind(sink);
  const maker = new TraceEventMaker(trace, { arrays: true });
  const pairer = new SyscallPairer((step) => {
    const c = step.call;
    if (step.kind === "enter" || c.enterMissing) return;
    const dur = c.dur === undefined ? -1 : Number(c.dur);
    slice(Number(c.ts), dur, 0, c.name, "syscall", threads.utidOf(c.tid));
  });
  for (const ev of trace.events.all()) {
    if (ev.system !== "raw_syscalls" && ev.system !== "syscalls") continue;
    handlers.add(ev, (rec, utid) => pairer.add(maker.make(rec, ev, threads.threads[utid]!.tid)));
  }
  handlers.onFinish(() => pairer.finish());
}
