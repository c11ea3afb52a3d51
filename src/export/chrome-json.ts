// exportChromeJson(): the Trace Event Format (JSON object with traceEvents), streamed: calls (function_graph,
// ufuncgraph, syscalls) as complete "X" events on their thread, sched_switch thread states as "X" events on
// a per-thread state track, every event as an instant "i" with its fields in args, and process/thread names
// as "M" metadata at the end. Times are µs (ts/1000) with ns kept as decimals.
import type { Writable } from "node:stream";
import type { TraceFile } from "../tracedat/index.js";
import { ThreadTable, walkModel } from "../model/index.js";
import { ByteOutput } from "./byte-output.js";
import { EventArgs } from "./event-args.js";
import type { ExportOptions, ExportResult } from "./perfetto.js";

/** Queued output is written once it passes this many chars (and between page batches). */
const CHUNK_CHARS = 1 << 16;

/** The pseudo process that holds one thread-state track per thread (above any real pid). */
const STATE_PID = 4194305;

function us(ns: number): string {
  return (ns / 1000).toFixed(3);
}

/** The pid/tid pair of a utid: its process (else itself) and its tid. */
function ids(threads: ThreadTable, utid: number): string {
  const t = threads.threads[utid]!;
  const pid = t.upid === undefined ? t.tid : threads.processes[t.upid]!.pid;
  return `"pid":${pid},"tid":${t.tid}`;
}

/**
 * Writes `trace` to `out` as Chrome JSON trace events.
 * @example
 * await exportChromeJson(await openTrace("trace.dat"), createWriteStream("trace.json"));
 */
export async function exportChromeJson(trace: TraceFile, out: Writable, options: ExportOptions = {}): Promise<ExportResult> {
  const output = new ByteOutput(out, "utf8");
  const args = new EventArgs(trace);
  const eventsPerCpu = new Map<number, number>();
  const skipped = new Map<string, number>();
  // A thread's pid is its process as known when the event is written (task_newtask comes before the
  // new thread's events); names are written at the end, when they are final.
  const threadsRef = new ThreadTable(trace.tasks);
  let text = '{"displayTimeUnit":"ns","traceEvents":[\n';
  let first = true;
  const emit = (json: string): void => {
    text += first ? json : ",\n" + json;
    first = false;
    if (text.length >= CHUNK_CHARS) {
      output.write(text);
      text = "";
    }
  };
  const model = await walkModel(
    trace,
    {
      event: (rec, ev, utid) => {
        if (ev === undefined) {
          skipped.set("unknown event id", (skipped.get("unknown event id") ?? 0) + 1);
          return;
        }
        eventsPerCpu.set(rec.cpu, (eventsPerCpu.get(rec.cpu) ?? 0) + 1);
        emit(`{"ph":"i","s":"t","name":${JSON.stringify(ev.name)},"cat":${JSON.stringify(ev.system)},"ts":${us(rec.ts)},${ids(threadsRef, utid)},"args":${args.writerOf(ev)(rec)}}`);
      },
      slice: (ts, dur, depth, name, category, utid) => {
        if (dur < 0) return;
        emit(`{"ph":"X","name":${JSON.stringify(name)},"cat":"${category}","ts":${us(ts)},"dur":${us(dur)},${ids(threadsRef, utid)},"args":{"depth":${depth}}}`);
      },
      threadState: (ts, dur, utid, state, cpu) => {
        if (dur < 0) return;
        // A separate tid-like track per thread keeps states from breaking the nesting of its calls.
        const t = threadsRef.threads[utid]!;
        emit(`{"ph":"X","name":${JSON.stringify(state)},"cat":"thread_state","ts":${us(ts)},"dur":${us(dur)},"pid":${STATE_PID},"tid":${t.tid},"args":{"cpu":${cpu}}}`);
      },
    },
    {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      threads: threadsRef,
      drain: async () => {
        output.write(text);
        text = "";
        await output.flush();
      },
    },
  );
  const threads = model.threads;
  for (const p of threads.processes) {
    if (p.name !== undefined) emit(`{"ph":"M","name":"process_name","pid":${p.pid},"args":{"name":${JSON.stringify(p.name)}}}`);
  }
  for (const t of threads.threads) {
    if (t.name === undefined) continue;
    emit(`{"ph":"M","name":"thread_name",${ids(threads, t.utid)},"args":{"name":${JSON.stringify(t.name)}}}`);
    emit(`{"ph":"M","name":"thread_name","pid":${STATE_PID},"tid":${t.tid},"args":{"name":${JSON.stringify(t.name)}}}`);
  }
  emit(`{"ph":"M","name":"process_name","pid":${STATE_PID},"args":{"name":"thread states"}}`);
  output.write(text + "\n]}\n");
  await output.flush();
  return { records: model.records, eventsPerCpu, skipped, bytes: output.written, genericEvents: [] };
}
