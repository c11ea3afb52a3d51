// Synthetic sub-buffers as annotated hex (ring-buffer-and-events.md §1-§2): each test builds one page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PageDecoder, createRawRecord, parseHeaderPage } from "./index.js";
import type { PageLayout } from "./index.js";

const HEADER_PAGE_64 =
  "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n" +
  "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n" +
  "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n" +
  "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";
const HEADER_PAGE_32 =
  "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n" +
  "\tfield: local_t commit;\toffset:8;\tsize:4;\tsigned:1;\n" +
  "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n" +
  "\tfield: char data;\toffset:12;\tsize:4084;\tsigned:0;\n";

/** Turns annotated hex ("# comment" to end of line) into a page of layout.pageSize bytes. */
function page(layout: PageLayout, hex: string): Uint8Array {
  const digits = hex.replace(/#[^\n]*/g, "").replace(/\s+/g, "");
  const buf = new Uint8Array(layout.pageSize);
  for (let i = 0; i < digits.length; i += 2) buf[i / 2] = parseInt(digits.slice(i, i + 2), 16);
  return buf;
}

/** Decodes one page into [ts, payload offset, payload length, missedEvents] rows plus the final status. */
function decode(layout: PageLayout, buf: Uint8Array): { rows: number[][]; status: string; first: string } {
  const dec = new PageDecoder(layout);
  const first = dec.reset(buf, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), 0, 3);
  const rec = createRawRecord();
  const rows: number[][] = [];
  while (dec.next(rec)) {
    assert.equal(rec.cpu, 3);
    assert.equal(rec.buf, buf);
    rows.push([rec.ts, rec.pos, rec.len, rec.missedEvents]);
  }
  return { rows, status: dec.status, first };
}

const LE64 = parseHeaderPage(HEADER_PAGE_64, true);
const BE64 = parseHeaderPage(HEADER_PAGE_64, false);
const LE32 = parseHeaderPage(HEADER_PAGE_32, true);

test("parseHeaderPage() reads offsets and sizes from the text", () => {
  assert.deepEqual(LE64, {
    littleEndian: true, timestampOffset: 0, commitOffset: 8, commitSize: 8, dataOffset: 16, pageSize: 4096,
  });
  assert.deepEqual(LE32, {
    littleEndian: true, timestampOffset: 0, commitOffset: 8, commitSize: 4, dataOffset: 12, pageSize: 4096,
  });
  const big = parseHeaderPage(HEADER_PAGE_64.replace("size:4080", "size:16368"), false);
  assert.equal(big.pageSize, 16384);
  assert.equal(big.littleEndian, false);
});

test("parseHeaderPage() falls back to the given long size when the text is empty", () => {
  const l = parseHeaderPage("", true, { longSize: 4, pageSize: 8192 });
  assert.deepEqual(l, { littleEndian: true, timestampOffset: 0, commitOffset: 8, commitSize: 4, dataOffset: 12, pageSize: 8192 });
});

test("PageDecoder.next() walks short-form records and adds deltas", () => {
  const buf = page(LE64, `
    e8 03 00 00 00 00 00 00   # page ts 1000
    10 00 00 00 00 00 00 00   # commit 16 bytes
    42 00 00 00               # type_len 2, delta 2  (0x42 = 2<<5 | 2)
    01 00 02 00 aa bb cc dd   # payload 8 bytes
    61 00 00 00               # type_len 1, delta 3 (0x61 = 3<<5 | 1)
  `);
  // the second record's payload (4 bytes) would end at 16+20 > commit 16: end-overflow
  const r = decode(LE64, buf);
  assert.equal(r.first, "ok");
  assert.deepEqual(r.rows, [[1002, 20, 8, 0]]);
  assert.equal(r.status, "end-overflow");
});

test("PageDecoder.next() applies a time extend to the next event", () => {
  const buf = page(LE64, `
    00 00 00 00 00 00 00 00   # page ts 0
    10 00 00 00 00 00 00 00   # commit 16
    3e 00 00 00 02 00 00 00   # type 30 (time extend), delta 1, array0 2 -> +2<<27 + 1
    a1 00 00 00               # type 1, delta 5
    07 00 00 00               # payload
    00 00 00 00               # past commit 16: never read
  `);
  const r = decode(LE64, buf);
  assert.deepEqual(r.rows, [[2 * 2 ** 27 + 1 + 5, 28, 4, 0]]);
  assert.equal(r.status, "ok");
});

test("PageDecoder.next() replaces the time with an absolute time stamp", () => {
  const buf = page(LE64, `
    00 00 00 00 01 00 00 00   # page ts 2^32
    18 00 00 00 00 00 00 00   # commit 24
    3f 00 00 00 03 00 00 00   # type 31 absolute: (3<<27) | 1
    21 00 00 00 11 22 33 44   # type 1, delta 1
    21 00 00 00 55 66 77 88   # type 1, delta 1
  `);
  const base = 3 * 2 ** 27 + 1;
  assert.deepEqual(decode(LE64, buf).rows, [[base + 1, 28, 4, 0], [base + 2, 36, 4, 0]]);
});

test("PageDecoder.next() stops at null padding and adds the delta of a discarded event", () => {
  const buf = page(LE64, `
    64 00 00 00 00 00 00 00   # page ts 100
    1c 00 00 00 00 00 00 00   # commit 28
    5d 00 00 00 08 00 00 00   # type 29 padding, delta 2, array0 8: the record spans 4 + 8 bytes
    ff ff ff ff               #   (discarded payload)
    21 00 00 00 01 00 00 00   # type 1 delta 1
    1d 00 00 00               # type 29 delta 0: null padding, end of page
    21 00 00 00               # never read
  `);
  const r = decode(LE64, buf);
  assert.deepEqual(r.rows, [[103, 32, 4, 0]]);
  assert.equal(r.status, "ok");
});

test("PageDecoder.next() reads long-form records (type_len 0, array0 = length + 4)", () => {
  const buf = page(LE64, `
    00 00 00 00 00 00 00 00   # page ts 0
    10 00 00 00 00 00 00 00   # commit 16
    40 00 00 00 0b 00 00 00   # type 0, delta 2, array0 11 -> payload 7 rounded to 8
    01 02 03 04 05 06 07 00
  `);
  assert.deepEqual(decode(LE64, buf).rows, [[2, 24, 8, 0]]);
});

test("PageDecoder.next() ends the page on a long-form length below 4", () => {
  const buf = page(LE64, `
    00 00 00 00 00 00 00 00
    10 00 00 00 00 00 00 00   # commit 16
    40 00 00 00 02 00 00 00   # type 0, array0 2: impossible
  `);
  const r = decode(LE64, buf);
  assert.deepEqual(r.rows, []);
  assert.equal(r.status, "bad-length");
});

test("PageDecoder.reset() reads a stored missed-events count (bits 31 and 30, sign-extended commit)", () => {
  const buf = page(LE64, `
    0a 00 00 00 00 00 00 00   # page ts 10
    08 00 00 c0 ff ff ff ff   # commit 8 | missed events | count stored, sign-extended to 64 bits
    21 00 00 00 01 00 00 00   # type 1 delta 1
    05 00 00 00 00 00 00 00   # lost-event count 5 right after the data
  `);
  const r = decode(LE64, buf);
  assert.equal(r.first, "ok");
  assert.deepEqual(r.rows, [[11, 20, 4, 5]]);
});

test("PageDecoder.next() gives -1 to the first record only when the count is not stored", () => {
  const buf = page(LE64, `
    00 00 00 00 00 00 00 00
    10 00 00 80 00 00 00 00   # commit 16 | missed events (no count)
    21 00 00 00 01 00 00 00   # type 1 delta 1
    21 00 00 00 02 00 00 00   # type 1 delta 1
  `);
  assert.deepEqual(decode(LE64, buf).rows, [[1, 20, 4, -1], [2, 28, 4, 0]]);
});

test("PageDecoder handles big-endian pages (type_len in the top 5 bits)", () => {
  const buf = page(BE64, `
    00 00 00 00 3b 9a ca 00   # page ts 1e9 (big-endian u64)
    00 00 00 00 00 00 00 14   # commit 20
    10 00 00 03               # type_len 2 (top bits 00010), delta 3
    00 01 00 00 00 00 00 07
    f0 00 00 02 00 00 00 01   # type 30 time extend, delta 2, array0 1
  `);
  const r = decode(BE64, buf);
  assert.deepEqual(r.rows, [[1e9 + 3, 20, 8, 0]]);
  assert.equal(r.status, "ok");
});

test("PageDecoder handles a 4-byte commit (32-bit kernels) with a stored count", () => {
  const buf = page(LE32, `
    07 00 00 00 00 00 00 00   # page ts 7
    08 00 00 c0               # commit 8 | missed | stored
    41 00 00 00 09 00 00 00   # type 1 delta 2 (0x41 = 2<<5 | 1)
    02 00 00 00               # lost count 2 (4-byte long)
  `);
  assert.deepEqual(decode(LE32, buf).rows, [[9, 16, 4, 2]]);
});

test("PageDecoder.reset() rejects a commit larger than the page", () => {
  const buf = page(LE64, `
    00 00 00 00 00 00 00 00
    00 10 00 00 00 00 00 00   # commit 4096 > 4080
  `);
  const r = decode(LE64, buf);
  assert.equal(r.first, "commit-overflow");
  assert.deepEqual(r.rows, []);
});

test("PageDecoder.next() flags a header word cut by the commit size", () => {
  const buf = page(LE64, `
    00 00 00 00 00 00 00 00
    06 00 00 00 00 00 00 00   # commit 6
    3e 00 00 00 01 00         # a time extend needs 8 bytes
  `);
  assert.equal(decode(LE64, buf).status, "short-event-header");
});

test("PageDecoder.next() ends the page on a long-form length near 2^32", () => {
  const buf = page(LE64, `
    00 00 00 00 00 00 00 00
    10 00 00 00 00 00 00 00   # commit 16
    00 00 00 00 f0 ff ff ff   # type 0, array0 0xfffffff0: far past the page
  `);
  const r = decode(LE64, buf);
  assert.deepEqual(r.rows, []);
  assert.equal(r.status, "end-overflow");
});
