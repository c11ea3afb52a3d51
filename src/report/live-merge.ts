// Records of pages read live from per-CPU ring buffers, merged in time order as they arrive. A CPU's
// pages come in order, but CPUs are read one after another, so a record is handed on only once no CPU
// can still deliver an earlier one: up to a time the caller vouches for (everything stamped before the
// previous read round began has been read by the end of this one), or everything at the end.
import { PageDecoder, createRawRecord, type PageLayout, type RawRecord } from "../ringbuf/index.js";

/** Pages copied into a slab. */
interface Chunk {
  slab: Slab;
  start: number;
  end: number;
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
  /** Bytes of pages queued and not yet decoded. */
  queuedBytes = 0;

  constructor(private readonly layout: PageLayout) {}

  /** Queues a copy of `pages` (whole sub-buffers) read from `cpu`. */
  push(cpu: number, pages: Uint8Array): void {
    let q = this.cpus.find((c) => c.cpu === cpu);
    if (q === undefined) {
      q = { cpu, chunks: [], pos: 0, decoder: new PageDecoder(this.layout), rec: createRawRecord(), loaded: false };
      this.cpus.push(q);
    }
    let slab = this.slab;
    if (slab === undefined || slab.used + pages.byteLength > slab.bytes.byteLength) {
      if (slab !== undefined && slab.live === 0) this.free.push(slab);
      slab = this.free.pop();
      if (slab === undefined || slab.bytes.byteLength < pages.byteLength) {
        const bytes = new Uint8Array(Math.max(SLAB_BYTES, pages.byteLength));
        slab = { bytes, view: new DataView(bytes.buffer), used: 0, live: 0 };
      }
      slab.used = 0;
      this.slab = slab;
    }
    slab.bytes.set(pages, slab.used);
    q.chunks.push({ slab, start: slab.used, end: slab.used + pages.byteLength });
    slab.used += pages.byteLength;
    slab.live++;
    this.queuedBytes += pages.byteLength;
  }

  /** A chunk is decoded: its slab goes back to the free list once nothing in it is waiting. */
  private release(chunk: Chunk): void {
    const slab = chunk.slab;
    this.queuedBytes -= chunk.end - chunk.start;
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
    for (let n = 0; ; n++) {
      let best: CpuQueue | undefined;
      for (const q of cpus) {
        if (!this.load(q)) continue;
        if (best === undefined || q.rec.ts < best.rec.ts || (q.rec.ts === best.rec.ts && q.cpu < best.cpu)) best = q;
      }
      if (best === undefined || best.rec.ts > upTo) return true;
      best.loaded = false;
      fn(best.rec);
      if ((n & 1023) === 1023 && performance.now() > deadline) return false;
    }
  }
}
