// The record walk over one ring-buffer sub-buffer (../shared/docs/ring-buffer-and-events.md §1-§2):
// data records (short and long form), padding, time extends, absolute stamps and the commit flags.
// A bad record ends its page with a status; nothing here throws per record or allocates per record.
import type { PageLayout } from "./page-layout.js";
import type { RawRecord } from "./record.js";

const TYPE_PADDING = 29;
const TYPE_TIME_EXTEND = 30;
const TYPE_TIME_STAMP = 31;
const TWO_27 = 2 ** 27;
const TWO_32 = 2 ** 32;
const TWO_59 = 2 ** 59;
const COMMIT_SIZE_MASK = 0x7ffffff;
const COMMIT_MISSED_EVENTS = 0x80000000;
const COMMIT_MISSED_STORED = 0x40000000;

/** Page statuses: "ok", or why the page (or the rest of it) was not decoded. */
export type PageStatus =
  | "ok"
  | "short-page"
  | "commit-overflow"
  | "short-event-header"
  | "bad-length"
  | "end-overflow";

/** Walks the records of one sub-buffer into a reusable RawRecord (no allocation per record). */
export class PageDecoder {
  /** Status of the current page: "ok", or the problem that ended it early. */
  status: PageStatus = "ok";
  /** Timestamp in the page header of the current page. */
  pageTs = 0;
  /** Missed-events value of the current page: 0, -1 (unknown count) or the count. */
  pageMissedEvents = 0;
  /** Bytes of event data the current page's commit word declares. */
  commitBytes = 0;

  private readonly le: boolean;
  private buf: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.buf.buffer);
  private p = 0;
  private end = 0;
  private ts = 0;
  private cpu = 0;
  private missed = 0;
  /** No record of the current page has been returned yet. */
  private firstOfPage = false;

  constructor(readonly layout: PageLayout) {
    this.le = layout.littleEndian;
  }

  /** @internal Only for tracedat/split: offset in the buffer of the next unread byte of the page's data. */
  get position(): number {
    return this.p;
  }

  /** Start a page at buf[pos .. pos+layout.pageSize); returns a status ("ok" or a problem kind). */
  reset(buf: Uint8Array, view: DataView, pos: number, cpu: number): PageStatus {
    const layout = this.layout;
    const le = this.le;
    this.buf = buf;
    this.view = view;
    this.cpu = cpu;
    this.p = 0;
    this.end = 0;
    this.missed = 0;
    this.pageMissedEvents = 0;
    this.commitBytes = 0;
    const pageEnd = Math.min(pos + layout.pageSize, buf.length);
    if (pos + layout.dataOffset > pageEnd || pos + layout.commitOffset + layout.commitSize > pageEnd) {
      return (this.status = "short-page");
    }
    const t = pos + layout.timestampOffset;
    const tLo = view.getUint32(le ? t : t + 4, le);
    const tHi = view.getUint32(le ? t + 4 : t, le);
    this.ts = tHi * TWO_32 + tLo;
    this.pageTs = this.ts;
    const c = pos + layout.commitOffset;
    // An 8-byte commit may look sign-extended (0xffffffff8000xxxx): flags and size live in the low word.
    const commit = layout.commitSize === 8 ? view.getUint32(le ? c : c + 4, le) : view.getUint32(c, le);
    const size = commit & COMMIT_SIZE_MASK;
    this.commitBytes = size;
    const start = pos + layout.dataOffset;
    const end = start + size;
    if (end > pageEnd) return (this.status = "commit-overflow");
    if ((commit & COMMIT_MISSED_EVENTS) !== 0) {
      let lost = -1;
      if ((commit & COMMIT_MISSED_STORED) !== 0 && end + layout.commitSize <= pageEnd) {
        if (layout.commitSize === 8) {
          const lo = view.getUint32(le ? end : end + 4, le);
          const hi = view.getUint32(le ? end + 4 : end, le);
          lost = hi * TWO_32 + lo;
        } else {
          lost = view.getUint32(end, le);
        }
      }
      this.missed = lost;
      this.pageMissedEvents = lost;
    }
    this.p = start;
    this.firstOfPage = true;
    this.end = end;
    return (this.status = "ok");
  }

  /** Moves rec to the next data record of the page; false at the end of the page (see `status`). */
  next(rec: RawRecord): boolean {
    const view = this.view;
    const le = this.le;
    const end = this.end;
    let p = this.p;
    let ts = this.ts;
    while (p < end) {
      if (p + 4 > end) {
        this.status = "short-event-header";
        break;
      }
      const w = view.getUint32(p, le);
      let typeLen: number;
      let delta: number;
      if (le) {
        typeLen = w & 0x1f;
        delta = w >>> 5;
      } else {
        typeLen = w >>> 27;
        delta = w & 0x7ffffff;
      }
      let start: number;
      let len: number;
      if (typeLen >= 1 && typeLen <= 28) {
        start = p + 4;
        len = typeLen * 4;
      } else {
        if (typeLen === TYPE_PADDING && delta === 0) break; // null padding: the rest of the page is empty
        if (p + 8 > end) {
          this.status = "short-event-header";
          break;
        }
        const array0 = view.getUint32(p + 4, le);
        if (typeLen === TYPE_PADDING) {
          // A discarded event: its delta still counts (as libtraceevent does).
          ts += delta;
          p += 4 + array0;
          continue;
        }
        if (typeLen === TYPE_TIME_EXTEND) {
          ts += array0 * TWO_27 + delta;
          p += 8;
          continue;
        }
        if (typeLen === TYPE_TIME_STAMP) {
          // 59-bit absolute time; the top 5 bits come from the running time.
          ts = array0 * TWO_27 + delta + (ts >= TWO_59 ? Math.floor(ts / TWO_59) * TWO_59 : 0);
          p += 8;
          continue;
        }
        // typeLen 0: long form, array0 = payload length + 4.
        if (array0 < 4) {
          this.status = "bad-length";
          break;
        }
        start = p + 8;
        // Compare before rounding: bit operations on a length near 2^32 would go negative.
        if (array0 - 4 > end - start) {
          this.status = "end-overflow";
          break;
        }
        len = (array0 - 4 + 3) & ~3;
      }
      if (start + len > end) {
        this.status = "end-overflow";
        break;
      }
      ts += delta;
      this.p = start + len;
      this.ts = ts;
      this.emit(rec, start, len, ts);
      rec.atPageStart = this.firstOfPage;
      this.firstOfPage = false;
      return true;
    }
    this.p = end;
    this.ts = ts;
    return false;
  }

  private emit(rec: RawRecord, start: number, len: number, ts: number): void {
    rec.buf = this.buf;
    rec.view = this.view;
    rec.pos = start;
    rec.len = len;
    rec.ts = ts;
    rec.cpu = this.cpu;
    rec.missedEvents = this.missed;
    this.missed = 0;
  }
}

