// Records of pages read live from per-CPU ring buffers, merged in time order as they arrive. A CPU's
// pages come in order, but CPUs are read one after another, so a record is handed on only once no CPU
// can still deliver an earlier one: up to a time the caller vouches for (everything stamped before the
// previous read round began has been read by the end of this one), or everything at the end.
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { PageDecoder, createRawRecord, type PageLayout, type RawRecord } from "../ringbuf/index.js";

/** Pages copied into a slab, or written to the spill file (`slab` undefined until read back). */
interface Chunk {
  slab: Slab | undefined;
  start: number;
  end: number;
  /** Offset in the spill file, for a spilled chunk. */
  fileAt: number;
}

/** Memory the pages are copied into, reused once every chunk in it is decoded (no garbage per read). */
interface Slab {
  bytes: Uint8Array;
  view: DataView;
  used: number;
  /** Chunks in it not yet decoded. */
  live: number;
}

/** Slab size: many reads of up to 64 pages each. */
const SLAB_BYTES = 4 << 20;

/** One CPU's pages waiting to be decoded and its current record. */
interface CpuQueue {
  cpu: number;
  chunks: Chunk[];
  /** Offset in its slab of the next page to start in chunks[0]. */
  pos: number;
  decoder: PageDecoder;
  rec: RawRecord;
  /** `rec` holds this CPU's next record. */
  loaded: boolean;
  /** Where this CPU's spilled chunks are read back (one at a time). */
  spillSlab: Slab | undefined;
}

/**
 * Per-CPU page queues and their merge; no object per record (the cursor is reused).
 * @example
 * const m = new LiveRecordMerge(layout);
 * m.push(cpu, pages);                      // as pages are read (copied)
 * m.drain(watermark, (rec) => use(rec));   // records stamped up to the watermark, in time order
 * m.drain(Infinity, (rec) => use(rec));    // at the end
 */
export class LiveRecordMerge {
  private readonly cpus: CpuQueue[] = [];
  private slab: Slab | undefined;
  private readonly free: Slab[] = [];
  /** Bytes of pages queued and not yet decoded (in memory and spilled). */
  queuedBytes = 0;
  /** Bytes of pages held in slabs. */
  private memoryBytes = 0;
  private spillFd = -1;
  private spillEnd = 0;
  private spilled = 0;

  /**
   * `spill`: past `memoryBytes` (default 16 MiB) of waiting pages, further pages go to this file and are
   * read back in turn, so that memory stays flat when decoding falls behind (and fresh memory, slow to
   * touch the first time, is not taken for each peak).
   */
  constructor(
    private readonly layout: PageLayout,
    private readonly options: { spill?: string; memoryBytes?: number } = {},
  ) {}

  /** Closes the spill file (the caller removes it). */
  close(): void {
    if (this.spillFd >= 0) closeSync(this.spillFd);
    this.spillFd = -1;
  }

  /**
   * Room for `bytes` of pages in the slab being filled: a reader may read straight into it and then push()
   * what it read, which is then not copied. Valid until the next room() or push().
   */
  room(bytes: number): Uint8Array {
    const slab = this.slabFor(bytes);
    return slab.bytes.subarray(slab.used, slab.used + bytes);
  }

  /** The slab to copy `bytes` into: the current one, started over once decoded, or a free or new one. */
  private slabFor(bytes: number): Slab {
    let slab = this.slab;
    // Decoding keeps up: start the slab over, so that only as much memory as the backlog is ever touched
    // (first touches of fresh memory are page faults, dear in a VM).
    if (slab !== undefined && slab.live === 0) slab.used = 0;
    if (slab === undefined || slab.used + bytes > slab.bytes.byteLength) {
      if (slab !== undefined && slab.live === 0) this.free.push(slab);
      slab = this.free.pop();
      if (slab === undefined || slab.bytes.byteLength < bytes) {
        const b = new Uint8Array(Math.max(SLAB_BYTES, bytes));
        slab = { bytes: b, view: new DataView(b.buffer), used: 0, live: 0 };
      }
      slab.used = 0;
      this.slab = slab;
    }
    return slab;
  }

  /** Queues `pages` (whole sub-buffers) read from `cpu`: a copy, unless they were read into room(). */
  push(cpu: number, pages: Uint8Array): void {
    let q = this.cpus.find((c) => c.cpu === cpu);
    if (q === undefined) {
      q = { cpu, chunks: [], pos: 0, decoder: new PageDecoder(this.layout), rec: createRawRecord(), loaded: false, spillSlab: undefined };
      this.cpus.push(q);
    }
    this.queuedBytes += pages.byteLength;
    if (this.options.spill !== undefined && this.memoryBytes + pages.byteLength > (this.options.memoryBytes ?? 16 << 20)) {
      if (this.spillFd < 0) this.spillFd = openSync(this.options.spill, "w+");
      let done = 0;
      while (done < pages.byteLength) done += writeSync(this.spillFd, pages, done, pages.byteLength - done, this.spillEnd + done);
      q.chunks.push({ slab: undefined, start: 0, end: pages.byteLength, fileAt: this.spillEnd });
      this.spillEnd += pages.byteLength;
      this.spilled++;
      return;
    }
    this.memoryBytes += pages.byteLength;
    const current = this.slab;
    const inPlace = current !== undefined && pages.buffer === current.bytes.buffer && pages.byteOffset === current.bytes.byteOffset + current.used;
    const slab = inPlace ? current : this.slabFor(pages.byteLength);
    if (!inPlace) slab.bytes.set(pages, slab.used);
    q.chunks.push({ slab, start: slab.used, end: slab.used + pages.byteLength, fileAt: -1 });
    slab.used += pages.byteLength;
    slab.live++;
  }

  /** A chunk is decoded: its slab goes back to the free list once nothing in it is waiting. */
  private release(chunk: Chunk): void {
    const slab = chunk.slab!;
    this.queuedBytes -= chunk.end - chunk.start;
    if (chunk.fileAt >= 0) {
      // Nothing left in the file: start it again from the beginning.
      if (--this.spilled === 0) {
        ftruncateSync(this.spillFd, 0);
        this.spillEnd = 0;
      }
      return;
    }
    this.memoryBytes -= chunk.end - chunk.start;
    if (--slab.live === 0 && slab !== this.slab) this.free.push(slab);
  }

  /** Loads q's next record, starting queued pages as needed; false when its queue is empty. */
  private load(q: CpuQueue): boolean {
    if (q.loaded) return true;
    const size = this.layout.pageSize;
    for (;;) {
      if (q.pos > 0 && q.decoder.next(q.rec)) return (q.loaded = true);
      const chunk = q.chunks[0];
      if (chunk === undefined) return false;
      if (chunk.slab === undefined) {
        // A spilled chunk: read it back into this CPU's own buffer.
        const size = chunk.end;
        if (q.spillSlab === undefined || q.spillSlab.bytes.byteLength < size) {
          const bytes = new Uint8Array(size);
          q.spillSlab = { bytes, view: new DataView(bytes.buffer), used: size, live: 0 };
        }
        let done = 0;
        while (done < size) {
          const n = readSync(this.spillFd, q.spillSlab.bytes, done, size - done, chunk.fileAt + done);
          if (n === 0) throw new Error("spill file ended early");
          done += n;
        }
        chunk.slab = q.spillSlab;
        q.pos = 0;
      }
      if (q.pos < chunk.start) q.pos = chunk.start;
      if (q.pos + size > chunk.end) {
        q.chunks.shift();
        this.release(chunk);
        q.pos = 0;
        continue;
      }
      q.decoder.reset(chunk.slab.bytes, chunk.slab.view, q.pos, q.cpu);
      q.pos += size;
    }
  }

  /**
   * Hands `fn` the queued records stamped at or before `upTo`, in time order (the lower CPU on ties),
   * until `deadline` (performance.now() ms) passes. Returns true when none up to `upTo` is left.
   */
  drain(upTo: number, fn: (rec: RawRecord) => void, deadline = Infinity): boolean {
    const cpus = this.cpus;
    for (let n = 0; ;) {
      let best: CpuQueue | undefined;
      let second: CpuQueue | undefined;
      for (const q of cpus) {
        if (!this.load(q)) continue;
        if (best === undefined || before(q, best)) {
          second = best;
          best = q;
        } else if (second === undefined || before(q, second)) second = q;
      }
      if (best === undefined || best.rec.ts > upTo) return true;
      // A flood comes from one CPU at a time: its records go on while they come before the other CPUs'
      // next one, with no look at the other CPUs per record.
      do {
        best.loaded = false;
        fn(best.rec);
        if ((++n & 1023) === 0 && performance.now() > deadline) return false;
      } while (this.load(best) && best.rec.ts <= upTo && (second === undefined || before(best, second)));
    }
  }
}

/** q's loaded record comes before r's: earlier, or at the same time from the lower CPU. */
function before(q: CpuQueue, r: CpuQueue): boolean {
  return q.rec.ts < r.rec.ts || (q.rec.ts === r.rec.ts && q.cpu < r.cpu);
}
