// Per-CPU record streams over the pages of one buffer (../shared/docs/trace-dat-format.md §3.2, §4.6, §5.2):
// raw pages are read 32 at a time, compressed data one chunk at a time, into reused buffers.
// The records of a batch are then walked synchronously (advanceSync) with one reusable cursor.
import type { FileHandle } from "node:fs/promises";
import { PageDecoder, createRawRecord } from "../ringbuf/index.js";
import type { PageLayout, PageStatus, RawRecord } from "../ringbuf/index.js";
import { hex, readFully, traceFileError } from "./byte-cursor.js";
import type { BlockDecompressor } from "./decompress.js";

/** Records of one CPU of one buffer, in file order. */
export interface CpuStream {
  /** Reused cursor; valid until the next advance()/advanceSync(). */
  readonly record: RawRecord;
  /** Moves to the next record; resolves false at the end. Decodes a batch of pages per read. */
  advance(): Promise<boolean>;
  /** Sync fast path: moves to the next record if it is already decoded in memory; "need-io" otherwise. */
  advanceSync(): boolean | "need-io";
}

/** Whole pages in memory: `pages` sub-buffers from offset 0 of `buf`. */
interface PageBatch {
  buf: Uint8Array;
  view: DataView;
  pages: number;
  /** File offset of the batch (raw data) or of its compressed chunk, for messages. */
  fileOffset: number;
}

/** Something that yields page batches until it resolves undefined. */
interface PageSource {
  next(): Promise<PageBatch | undefined>;
}

/** Reports a page that did not decode cleanly (once per kind is enough for people). */
export type PageProblem = (status: PageStatus, cpu: number, fileOffset: number) => void;

/** Pages per read for uncompressed data (as perfetto's cpu_reader does). */
const BATCH_PAGES = 32;
/** Largest chunk we accept (trace-cmd writes 10 pages per chunk). */
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

function pagesIn(buf: Uint8Array, bytes: number, pageSize: number): number {
  const pages = Math.ceil(bytes / pageSize);
  buf.fill(0, bytes, pages * pageSize); // a partial last page ends in zeros (null padding)
  return pages;
}

/** Uncompressed CPU data: [start, start+size) of the file, BATCH_PAGES pages per read. */
export class RawPageSource implements PageSource {
  private pos: number;
  private readonly end: number;
  private readonly buf: Uint8Array;
  private readonly view: DataView;

  constructor(private readonly fh: FileHandle, private readonly path: string, start: number, size: number, private readonly pageSize: number) {
    this.pos = start;
    this.end = start + size;
    this.buf = new Uint8Array(Math.min(BATCH_PAGES * pageSize, Math.ceil(Math.max(size, 1) / pageSize) * pageSize));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  async next(): Promise<PageBatch | undefined> {
    const len = Math.min(this.buf.length, this.end - this.pos);
    if (len <= 0) return undefined;
    const at = this.pos;
    let got: number;
    try {
      got = await readFully(this.fh, this.buf, len, at);
    } catch (e) {
      throw traceFileError(this.path, `read failed at offset ${hex(at)}: ${(e as Error).message}`, at, e);
    }
    if (got === 0) return undefined;
    this.pos = got < len ? this.end : at + got;
    return { buf: this.buf, view: this.view, pages: pagesIn(this.buf, got, this.pageSize), fileOffset: at };
  }
}

/** Compressed CPU data: `u32 count` then chunks of `u32 csize, u32 usize, csize bytes` (format doc §5.2). */
export class ChunkPageSource implements PageSource {
  private pos: number;
  private chunksLeft = -1;
  private readonly header = new Uint8Array(8);
  private readonly headerView = new DataView(this.header.buffer);
  private src = new Uint8Array(0);
  private dst = new Uint8Array(0);
  private dstView = new DataView(this.dst.buffer);

  /** `limit` bounds the stream (the file size): trace-cmd 3.1.6 stores a size 4 bytes short, so the size is not trusted. */
  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    start: number,
    private readonly limit: number,
    private readonly pageSize: number,
    private readonly le: boolean,
    private readonly decompress: BlockDecompressor,
  ) {
    this.pos = start;
  }

  private fail(what: string, at: number): never {
    throw traceFileError(this.path, `section 'buffer' ${what} at offset ${hex(at)}`, at);
  }

  private async readHeader(len: number): Promise<void> {
    let got: number;
    try {
      got = await readFully(this.fh, this.header, len, this.pos);
    } catch (e) {
      throw traceFileError(this.path, `read failed at offset ${hex(this.pos)}: ${(e as Error).message}`, this.pos, e);
    }
    if (got < len) this.fail("truncated", this.pos);
  }

  async next(): Promise<PageBatch | undefined> {
    if (this.chunksLeft < 0) {
      await this.readHeader(4);
      let count = this.headerView.getUint32(0, this.le);
      // The count is written in the writer's host order (quirk of 3.1.6): try the other order if absurd.
      if (count * 8 > this.limit - this.pos - 4) count = this.headerView.getUint32(0, !this.le);
      if (count * 8 > this.limit - this.pos - 4) this.fail(`has a bad chunk count ${count}`, this.pos);
      this.chunksLeft = count;
      this.pos += 4;
    }
    if (this.chunksLeft === 0) return undefined;
    const at = this.pos;
    await this.readHeader(8);
    const csize = this.headerView.getUint32(0, this.le);
    const usize = this.headerView.getUint32(4, this.le);
    if (csize > this.limit - at - 8) this.fail(`has a chunk of ${csize} bytes past the end of the file`, at);
    if (usize === 0 || usize > MAX_CHUNK_BYTES) this.fail(`has a chunk with a bad size ${usize}`, at);
    if (this.src.length < csize) this.src = new Uint8Array(Math.max(csize, this.src.length * 2));
    const pageBytes = Math.ceil(usize / this.pageSize) * this.pageSize;
    if (this.dst.length < pageBytes) {
      this.dst = new Uint8Array(pageBytes);
      this.dstView = new DataView(this.dst.buffer);
    }
    let got: number;
    try {
      got = await readFully(this.fh, this.src, csize, at + 8);
    } catch (e) {
      throw traceFileError(this.path, `read failed at offset ${hex(at + 8)}: ${(e as Error).message}`, at + 8, e);
    }
    if (got < csize) this.fail("truncated", at + 8 + got);
    let written: number;
    try {
      written = this.decompress(this.src.subarray(0, csize), this.dst.subarray(0, usize));
    } catch (e) {
      throw traceFileError(this.path, `section 'buffer' has a chunk that does not decompress at offset ${hex(at)}: ${(e as Error).message}`, at, e);
    }
    if (written !== usize) this.fail(`has a chunk of ${written} bytes instead of ${usize}`, at);
    this.pos = at + 8 + csize;
    this.chunksLeft--;
    return { buf: this.dst, view: this.dstView, pages: pagesIn(this.dst, usize, this.pageSize), fileOffset: at };
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
        const st = dec.reset(batch.buf, batch.view, this.pageIndex * this.layout.pageSize, this.cpu);
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
    const st = this.decoder.reset(batch.buf, batch.view, 0, this.cpu);
    if (st !== "ok") this.problem(st);
  }

  private problem(status: PageStatus): void {
    const b = this.batch;
    this.onProblem(status, this.cpu, b === undefined ? 0 : b.fileOffset + this.pageIndex * this.layout.pageSize);
    this.decoder.status = "ok";
  }
}
