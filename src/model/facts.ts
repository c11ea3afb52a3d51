// The facts the model derives, as a sink its trackers call while the trace streams by (Perfetto's table
// names: sched_slice, thread_state, slice, counter). Durations are -1 for what is still open at the end.
import type { EventFormat } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";

/** Receives facts in the order they complete; every method is optional. Times are ns (the file's clock). */
export interface ModelSink {
  /** Every record, in merged time order; `event` is undefined for an unknown id, `utid` is common_pid's. */
  event?(rec: RawRecord, event: EventFormat | undefined, utid: number, bufferIndex: number): void;
  /** A thread's run on a CPU between two sched_switch events; `endState` is how it left (null: still on). */
  schedSlice?(ts: number, dur: number, cpu: number, utid: number, endState: string | null, priority: number): void;
  /** A thread's state ("Running", "R", "R+", "S", "D", ...) over an interval; cpu is -1 unless running. */
  threadState?(ts: number, dur: number, utid: number, state: string, cpu: number): void;
  /** A call on a thread: function_graph ("funcgraph"), ufuncgraph ("ufuncgraph") or syscall ("syscall"). */
  slice?(ts: number, dur: number, depth: number, name: string, category: string, utid: number): void;
  /** A counter value, e.g. "cpufreq" or "cpuidle" of a CPU. */
  counter?(ts: number, name: string, cpu: number, value: number): void;
}

/** One event's handler in the model: the record and the utid of its common_pid. */
export type RecordHandler = (rec: RawRecord, utid: number) => void;

/** Handlers by event id, several per id allowed (dense, as the event table). */
export class HandlerTable {
  readonly byId: (RecordHandler | undefined)[] = [];
  private readonly finishers: (() => void)[] = [];

  /** Runs `f` at the end of the walk (handlers.finish()). */
  onFinish(f: () => void): void {
    this.finishers.push(f);
  }

  /** Calls the onFinish() functions in the order they were added. */
  finish(): void {
    for (const f of this.finishers) f();
  }

  /** Adds `h` for event `ev` (no-op when the trace lacks the event). */
  add(ev: EventFormat | undefined, h: RecordHandler): void {
    if (ev === undefined) return;
    const prev = this.byId[ev.id];
    this.byId[ev.id] = prev === undefined ? h : (rec, utid) => {
      prev(rec, utid);
      h(rec, utid);
    };
  }
}
