// Sequential reading of one CPU's data with few, large reads and one read in flight ahead of the decoder.
// A positioned read costs 100-350 µs on a busy 2-core machine (thread-pool hop), so reading 32 pages or
// one 10-page chunk per read would dominate; here each read is up to BLOCK_BYTES and overlaps decoding.
import { hex, readFully, traceFileError } from "./byte-cursor.js";
import type { ReadHandle } from "./read-handle.js";

const BLOCK_BYTES = 512 * 1024;
/** Room kept in front of each block, so that a record cut by the block end can be joined without a copy of the block. */
const RESERVE_BYTES = 128 * 1024;

/** Bytes handed out by take(): buf[off .. off+n). */
export interface TakenBytes {
  buf: Uint8Array;
  off: number;
}

/** Reads [start, end) of a file front to back; what take() returns stays valid until the next take(). */
export class SequentialReader {
  private cur: Uint8Array;
  private spare: Uint8Array;
  /** Index in `cur` of the file offset `pos`, and end of the valid bytes in `cur`. */
  private idx = 0;
  private curEnd = 0;
  /** File offset of the next byte take() hands out, and of the next byte to read from the file. */
  private pos: number;
  private filePos: number;
  private prefetch: Promise<number> | undefined;
  private readonly block: number;
  private readonly reserve: number;
  private readonly out: TakenBytes = { buf: new Uint8Array(0), off: 0 };

  constructor(private readonly fh: ReadHandle, private readonly path: string, start: number, private readonly end: number) {
    this.pos = start;
    this.filePos = start;
    this.block = Math.max(1, Math.min(BLOCK_BYTES, end - start));
    this.reserve = Math.min(RESERVE_BYTES, this.block);
    this.cur = new Uint8Array(this.reserve + this.block);
    this.spare = new Uint8Array(this.reserve + this.block);
    this.idx = this.curEnd = this.reserve;
  }

  /** File offset of the next byte take() returns. */
  get position(): number {
    return this.pos;
  }

  /** Bytes left before the end of the range. */
  get remaining(): number {
    return this.end - this.pos;
  }

  private read(buf: Uint8Array, at: number, len: number, position: number): Promise<number> {
    return readFully(this.fh, buf.subarray(at, at + len), len, position).catch((e: unknown) => {
      throw traceFileError(this.path, `read failed at offset ${hex(position)}: ${(e as Error).message}`, position, e);
    });
  }

  private startPrefetch(): void {
    if (this.prefetch !== undefined || this.filePos >= this.end) return;
    const len = Math.min(this.block, this.end - this.filePos);
    const p = this.read(this.spare, this.reserve, len, this.filePos);
    // A stream dropped early (report | head) never awaits its read-ahead: do not let that be an unhandled rejection.
    p.catch(() => undefined);
    this.prefetch = p;
  }

  /** The next n bytes (n must not exceed `remaining`); resolves with a view valid until the next take(). */
  async take(n: number): Promise<TakenBytes> {
    const out = this.out;
    if (this.curEnd - this.idx < n) await this.refill(n);
    out.buf = this.cur;
    out.off = this.idx;
    this.idx += n;
    this.pos += n;
    this.startPrefetch();
    return out;
  }

  private async refill(n: number): Promise<void> {
    const tail = this.curEnd - this.idx;
    const reserve = this.reserve;
    if (this.prefetch === undefined) this.startPrefetch();
    const got = this.prefetch === undefined ? 0 : await this.prefetch;
    this.prefetch = undefined;
    if (tail <= reserve && tail + got >= n) {
      // Join the unread tail of the current block in front of the prefetched one, then swap.
      this.spare.set(this.cur.subarray(this.idx, this.curEnd), reserve - tail);
      const old = this.cur;
      this.cur = this.spare;
      this.spare = old.length === reserve + this.block ? old : new Uint8Array(reserve + this.block);
      this.idx = reserve - tail;
      this.curEnd = reserve + got;
      this.filePos += got;
      return;
    }
    // Rare: a record larger than a block. Read exactly what is needed into a buffer of its own.
    const big = new Uint8Array(n);
    big.set(this.cur.subarray(this.idx, this.curEnd));
    const have = tail;
    const from = this.pos + have; // the prefetched bytes (if any) start here too; read them again
    const more = await this.read(big, have, n - have, from);
    if (have + more < n) throw traceFileError(this.path, `data truncated at offset ${hex(from + more)}`, from + more);
    this.cur = big;
    this.idx = 0;
    this.curEnd = n;
    this.filePos = this.pos + n;
  }
}
