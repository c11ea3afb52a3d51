// Per-CPU record streams over the pages of one buffer (../shared/docs/trace-dat-format.md §3.2, §4.6, §5.2):
// raw pages are decoded 32 at a time, compressed data one chunk at a time, from reused read-ahead buffers.
// The records of a batch are then walked synchronously (advanceSync) with one reusable cursor.
import { PageDecoder, createRawRecord } from "../ringbuf/index.js";
import type { PageLayout, PageStatus, RawRecord } from "../ringbuf/index.js";
import { hex, traceFileError } from "./byte-cursor.js";
import { SequentialReader } from "./read-ahead.js";
import type { BlockDecompressor } from "./decompress.js";
import type { ReadHandle } from "./read-handle.js";

/** Records of one CPU of one buffer, in file order. */
export interface CpuStream {
  /** Reused cursor; valid until the next advance()/advanceSync(). */
  readonly record: RawRecord;
  /** Moves to the next record; resolves false at the end. Decodes a batch of pages per read. */
  advance(): Promise<boolean>;
  /** Sync fast path: moves to the next record if it is already decoded in memory; "need-io" otherwise. */
  advanceSync(): boolean | "need-io";
  /** File offset of the data being read (the current page batch or chunk), for progress; -1 before the first read. */
  readonly fileOffset: number;
}

/** Whole pages in memory: `pages` sub-buffers from offset `base` of `buf`. */
interface PageBatch {
  buf: Uint8Array;
  view: DataView;
  base: number;
  pages: number;
  /** File offset of the batch (raw data) or of its compressed chunk, for messages. */
  fileOffset: number;
}

/** Something that yields page batches until it resolves undefined; a batch is valid until the next call. */
interface PageSource {
  next(): Promise<PageBatch | undefined>;
}

/** Reports a page that did not decode cleanly (once per kind is enough for people). */
export type PageProblem = (status: PageStatus, cpu: number, fileOffset: number) => void;

/** Pages per batch for uncompressed data (as perfetto's cpu_reader does); reads are larger (read-ahead.ts). */
const BATCH_PAGES = 32;
/** Largest chunk we accept (trace-cmd writes 10 pages per chunk). */
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** A DataView over buf, remade only when buf changes. */
class ViewCache {
  private buf: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));
  of(buf: Uint8Array): DataView {
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.view;
  }
}

/** Uncompressed CPU data: [start, start+size) of the file, BATCH_PAGES pages per batch. */
export class RawPageSource implements PageSource {
  private readonly reader: SequentialReader;
  private readonly views = new ViewCache();
  private lastPage: Uint8Array | undefined;

  constructor(fh: ReadHandle, path: string, start: number, size: number, private readonly pageSize: number) {
    this.reader = new SequentialReader(fh, path, start, start + size);
  }

  async next(): Promise<PageBatch | undefined> {
    const r = this.reader;
    const left = r.remaining;
    if (left <= 0) return undefined;
    const at = r.position;
    const pageSize = this.pageSize;
    if (left < pageSize) {
      // A partial last page: copy it into a zero-filled page of its own (the zeros read as null padding).
      const t = await r.take(left);
      const page = (this.lastPage ??= new Uint8Array(pageSize));
      page.fill(0);
      page.set(t.buf.subarray(t.off, t.off + left));
      return { buf: page, view: this.views.of(page), base: 0, pages: 1, fileOffset: at };
    }
    const pages = Math.min(BATCH_PAGES, Math.floor(left / pageSize));
    const t = await r.take(pages * pageSize);
    return { buf: t.buf, view: this.views.of(t.buf), base: t.off, pages, fileOffset: at };
  }
}

/** Compressed CPU data: `u32 count` then chunks of `u32 csize, u32 usize, csize bytes` (format doc §5.2). */
export class ChunkPageSource implements PageSource {
  private readonly reader: SequentialReader;
  private chunksLeft = -1;
  private dst = new Uint8Array(0);
  private readonly views = new ViewCache();

  /** `limit` bounds the stream (the file size): trace-cmd 3.1.6 stores a size 4 bytes short, so the size is not trusted. */
  constructor(
    fh: ReadHandle,
    private readonly path: string,
    start: number,
    limit: number,
    private readonly pageSize: number,
    private readonly le: boolean,
    private readonly decompress: BlockDecompressor,
  ) {
    this.reader = new SequentialReader(fh, path, start, limit);
  }

  private fail(what: string, at: number): never {
    throw traceFileError(this.path, `section 'buffer' ${what} at offset ${hex(at)}`, at);
  }

  private async u32s(n: 1 | 2): Promise<[number, number]> {
    const r = this.reader;
    if (r.remaining < 4 * n) this.fail("truncated", r.position);
    const t = await r.take(4 * n);
    const v = this.views.of(t.buf);
    return [v.getUint32(t.off, this.le), n === 2 ? v.getUint32(t.off + 4, this.le) : 0];
  }

  async next(): Promise<PageBatch | undefined> {
    const r = this.reader;
    if (this.chunksLeft < 0) {
      const at = r.position;
      const [raw] = await this.u32s(1);
      let count = raw;
      // The count is written in the writer's host order (quirk of 3.1.6): try the other order if absurd.
      if (count * 8 > r.remaining) count = swap32(raw);
      if (count * 8 > r.remaining) this.fail(`has a bad chunk count ${raw}`, at);
      this.chunksLeft = count;
    }
    if (this.chunksLeft === 0) return undefined;
    const at = r.position;
    const [csize, usize] = await this.u32s(2);
    if (csize > r.remaining) this.fail(`has a chunk of ${csize} bytes past the end of the file`, at);
    if (usize === 0 || usize > MAX_CHUNK_BYTES) this.fail(`has a chunk with a bad size ${usize}`, at);
    const pageBytes = Math.ceil(usize / this.pageSize) * this.pageSize;
    if (this.dst.length < pageBytes) this.dst = new Uint8Array(pageBytes);
    const src = await r.take(csize);
    let written: number;
    try {
      written = this.decompress(src.buf.subarray(src.off, src.off + csize), this.dst.subarray(0, usize));
    } catch (e) {
      throw traceFileError(this.path, `section 'buffer' has a chunk that does not decompress at offset ${hex(at)}: ${(e as Error).message}`, at, e);
    }
    if (written !== usize) this.fail(`has a chunk of ${written} bytes instead of ${usize}`, at);
    this.dst.fill(0, usize, pageBytes); // a partial last page ends in zeros (null padding)
    this.chunksLeft--;
    return { buf: this.dst, view: this.views.of(this.dst), base: 0, pages: pageBytes / this.pageSize, fileOffset: at };
  }
}

/** A CpuStream over any page source; `adjust` maps raw ring-buffer time to report time (or is undefined). */
export class PageStream implements CpuStream {
  readonly record: RawRecord = createRawRecord();
  private readonly decoder: PageDecoder;
  private batch: PageBatch | undefined;
  private pageIndex = 0;
  private done = false;

  constructor(
    private readonly source: PageSource | undefined,
    private readonly layout: PageLayout,
    private readonly cpu: number,
    private readonly adjust: ((ts: number) => number) | undefined,
    private readonly onProblem: PageProblem,
  ) {
    this.decoder = new PageDecoder(layout);
    this.record.cpu = cpu;
    if (source === undefined) this.done = true;
  }

  get fileOffset(): number {
    const b = this.batch;
    return b === undefined ? (this.done ? Infinity : -1) : b.fileOffset + this.pageIndex * this.layout.pageSize;
  }

  advanceSync(): boolean | "need-io" {
    const rec = this.record;
    const dec = this.decoder;
    for (;;) {
      if (dec.next(rec)) {
        if (this.adjust !== undefined) rec.ts = this.adjust(rec.ts);
        return true;
      }
      if (dec.status !== "ok") this.problem(dec.status);
      const batch = this.batch;
      if (batch !== undefined && this.pageIndex + 1 < batch.pages) {
        this.pageIndex++;
        const st = dec.reset(batch.buf, batch.view, batch.base + this.pageIndex * this.layout.pageSize, this.cpu);
        if (st !== "ok") this.problem(st);
        continue;
      }
      return this.done ? false : "need-io";
    }
  }

  async advance(): Promise<boolean> {
    for (;;) {
      const r = this.advanceSync();
      if (r !== "need-io") return r;
      await this.load();
    }
  }

  private async load(): Promise<void> {
    const batch = await this.source!.next();
    this.batch = batch;
    this.pageIndex = 0;
    if (batch === undefined || batch.pages === 0) {
      this.done = true;
      this.batch = undefined;
      return;
    }
    const st = this.decoder.reset(batch.buf, batch.view, batch.base, this.cpu);
    if (st !== "ok") this.problem(st);
  }

  private problem(status: PageStatus): void {
    const b = this.batch;
    this.onProblem(status, this.cpu, b === undefined ? 0 : b.fileOffset + this.pageIndex * this.layout.pageSize);
    this.decoder.status = "ok";
  }
}
