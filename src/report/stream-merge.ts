// Merge of per-CPU record streams in trace-cmd's order (report-output.md §1): earliest timestamp first,
// the earliest slot on ties, file order within a slot. A linear scan, like tracecmd_iterate_events_multi;
// slots are few (CPUs x buffers x files), and the report also needs per-file look-ahead (§8.1).
import type { CpuStream } from "../tracedat/index.js";

/** Streams merged by timestamp; each slot's current record is `streams[i].record` while `alive[i]`. */
export class StreamMerge {
  readonly alive: boolean[];
  private readonly allSlots: readonly number[];

  private constructor(readonly streams: readonly CpuStream[]) {
    this.alive = streams.map(() => false);
    this.allSlots = streams.map((_, i) => i);
  }

  /** Loads the first record of every stream. */
  static async open(streams: readonly CpuStream[]): Promise<StreamMerge> {
    const m = new StreamMerge(streams);
    for (let i = 0; i < streams.length; i++) m.alive[i] = await streams[i]!.advance();
    return m;
  }

  /** Slot holding the earliest record (first slot on ties), or -1 when every stream has ended. */
  pick(): number {
    return this.pickAmong(this.allSlots);
  }

  /** The slot among `slots` holding the earliest record (the first listed on ties), or -1. */
  pickAmong(slots: readonly number[]): number {
    const { streams, alive } = this;
    let best = -1;
    let bestTs = 0;
    for (const i of slots) {
      if (!alive[i]) continue;
      const ts = streams[i]!.record.ts;
      if (best < 0 || ts < bestTs) {
        best = i;
        bestTs = ts;
      }
    }
    return best;
  }

  /** Moves slot i on without I/O; false when its next record needs a read (then call advance()). */
  advanceSync(i: number): boolean {
    const r = this.streams[i]!.advanceSync();
    if (r === "need-io") return false;
    this.alive[i] = r;
    return true;
  }

  /** Moves slot i on, reading from the file if needed. */
  async advance(i: number): Promise<void> {
    if (!this.advanceSync(i)) this.alive[i] = await this.streams[i]!.advance();
  }
}
