// Global time order over many CPU streams (of one or several files and buffers): a min-heap keyed by
// (ts, slot), lower slot first on equal timestamps as trace-cmd does (ring-buffer-and-events.md §2.2).
// Streams advance synchronously while their pages are in memory; we await only when one needs I/O.
import { MinHeap } from "../base/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import type { CpuStream } from "./cpu-stream.js";
import type { TraceFile } from "./trace-file.js";

interface Slot {
  stream: CpuStream;
  fileIndex: number;
  bufferIndex: number;
  order: number;
}

/** One merged record: the cursor plus where it came from; valid until the next next()/peek(). */
export interface MergedRecord {
  rec: RawRecord;
  fileIndex: number;
  bufferIndex: number;
}

/** Merges CPU streams (of one or several files/buffers) by (ts, slot order). */
export class RecordMerger {
  private readonly heap = new MinHeap<Slot>((a, b) => {
    const ta = a.stream.record.ts;
    const tb = b.stream.record.ts;
    return ta < tb || (ta === tb && a.order < b.order);
  });
  private pending: Slot[];
  /** The slot whose record next() returned last; it moves on at the following call. */
  private consumed: Slot | undefined;
  private readonly out: MergedRecord = { rec: undefined as unknown as RawRecord, fileIndex: 0, bufferIndex: 0 };

  /** Slot order = tie-break order (e.g. file 0's CPUs 0..n, then its instances, then the next file). */
  constructor(slots: { stream: CpuStream; fileIndex: number; bufferIndex: number }[]) {
    this.pending = slots.map((s, order) => ({ ...s, order }));
  }

  /**
   * A merger over every buffer of every file in trace-cmd's tie-break order: the first file's top buffer
   * CPUs 0..n-1, then its instances, then the next file. `cpus` keeps only those CPU numbers.
   */
  static forFiles(files: readonly TraceFile[], cpus?: readonly number[]): RecordMerger {
    const keep = cpus === undefined ? undefined : new Set(cpus);
    const slots: { stream: CpuStream; fileIndex: number; bufferIndex: number }[] = [];
    files.forEach((file, fileIndex) => {
      file.buffers.forEach((buffer, bufferIndex) => {
        const n = Math.max(file.cpus, ...buffer.cpus.map((e) => e.cpu + 1));
        for (let cpu = 0; cpu < n; cpu++) {
          if (keep === undefined || keep.has(cpu)) slots.push({ stream: file.cpuStream(bufferIndex, cpu), fileIndex, bufferIndex });
        }
      });
    });
    return new RecordMerger(slots);
  }

  /** Next record in global order, or undefined at the end. Valid until the next next()/peek(). */
  async next(): Promise<MergedRecord | undefined> {
    const top = await this.top();
    if (top === undefined) return undefined;
    return this.take(top);
  }

  /**
   * Sync fast path of next(): the next record when no stream needs I/O to get there, else "need-io"
   * (then call next(), which does the same work asynchronously).
   */
  nextSync(): MergedRecord | undefined | "need-io" {
    const c = this.consumed;
    if (this.pending.length > 0) return "need-io";
    if (c !== undefined) {
      const r = c.stream.advanceSync();
      if (r === "need-io") return "need-io";
      this.consumed = undefined;
      if (r) this.heap.updateTop();
      else this.heap.pop();
    }
    const top = this.heap.peek();
    if (top === undefined) return undefined;
    return this.take(top);
  }

  /** The record that next() would return, without consuming it. Invalidates what next() returned: copy what you need first. */
  async peek(): Promise<RawRecord | undefined> {
    return (await this.top())?.stream.record;
  }

  private take(top: Slot): MergedRecord {
    this.consumed = top;
    const out = this.out;
    out.rec = top.stream.record;
    out.fileIndex = top.fileIndex;
    out.bufferIndex = top.bufferIndex;
    return out;
  }

  /** Brings every stream that must move to its next record, then returns the smallest. */
  private async top(): Promise<Slot | undefined> {
    const heap = this.heap;
    const c = this.consumed;
    if (c !== undefined) {
      this.consumed = undefined;
      let r = c.stream.advanceSync();
      if (r === "need-io") r = await c.stream.advance();
      if (r) heap.updateTop();
      else heap.pop();
    }
    if (this.pending.length > 0) {
      const pending = this.pending;
      this.pending = [];
      for (const s of pending) {
        let r = s.stream.advanceSync();
        if (r === "need-io") r = await s.stream.advance();
        if (r) heap.push(s);
      }
    }
    return heap.peek();
  }
}
