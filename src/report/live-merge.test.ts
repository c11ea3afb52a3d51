// LiveRecordMerge over synthetic sub-buffers: time order across CPUs, the watermark, slab reuse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHeaderPage, type RawRecord } from "../ringbuf/index.js";
import { LiveRecordMerge } from "./live-merge.js";

const LAYOUT = parseHeaderPage(
  "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n" +
    "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n" +
    "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n" +
    "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n",
  true,
);

/** One page whose records (4-byte payload: the record's tag) are stamped at `times` (increasing). */
function page(times: readonly number[], tags: readonly number[]): Uint8Array {
  const buf = new Uint8Array(LAYOUT.pageSize);
  const v = new DataView(buf.buffer);
  v.setBigUint64(0, BigInt(times[0] ?? 0), true);
  let p = 16;
  let last = times[0] ?? 0;
  times.forEach((t, i) => {
    v.setUint32(p, ((t - last) << 5) | 1, true); // type_len 1: 4 bytes of payload
    v.setUint32(p + 4, tags[i]!, true);
    p += 8;
    last = t;
  });
  v.setBigUint64(8, BigInt(p - 16), true);
  return buf;
}

function pages(...list: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(list.length * LAYOUT.pageSize);
  list.forEach((p, i) => out.set(p, i * LAYOUT.pageSize));
  return out;
}

const tagOf = (rec: RawRecord): number => rec.view.getUint32(rec.pos, true);

test("LiveRecordMerge hands on records in time order across CPUs, only up to the watermark until the end", () => {
  const m = new LiveRecordMerge(LAYOUT);
  const seen: [number, number, number][] = [];
  const take = (rec: RawRecord): void => void seen.push([rec.ts, rec.cpu, tagOf(rec)]);
  m.push(0, pages(page([100, 300], [1, 3]), page([500], [5])));
  m.push(1, page([200, 400], [2, 4]));
  assert.equal(m.drain(350, take), true);
  assert.deepEqual(seen, [[100, 0, 1], [200, 1, 2], [300, 0, 3]]);
  // A later read of CPU 1 brings records older than CPU 0's queued 500: still merged in order.
  m.push(1, page([450, 700], [45, 7]));
  m.drain(600, take);
  assert.deepEqual(seen.slice(3).map((r) => r[2]), [4, 45, 5]);
  assert.equal(m.drain(Infinity, take), true);
  assert.deepEqual(seen.slice(6).map((r) => r[2]), [7]);
  assert.equal(m.queuedBytes, 0);
});

for (const spill of [false, true]) test(`LiveRecordMerge keeps every record in order when more pages wait than a slab holds, round after round${spill ? ", past its memory in a file" : ""}`, () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-live-merge-"));
  const file = join(dir, "spill");
  const m = new LiveRecordMerge(LAYOUT, spill ? { spill: file, memoryBytes: 1 << 20 } : {});
  let k = 0;
  let expect = 0;
  for (let round = 0; round < 3; round++) {
    // 1200 pages (4.9 MB); CPU 0's page k holds times 4k and 4k+2, CPU 1's 4k+1 and 4k+3.
    for (let b = 0; b < 20; b++) {
      const batch: [Uint8Array[], Uint8Array[]] = [[], []];
      for (let n = 0; n < 30; n++, k++) {
        for (const cpu of [0, 1]) batch[cpu]!.push(page([4 * k + cpu, 4 * k + 2 + cpu], [4 * k + cpu, 4 * k + 2 + cpu]));
      }
      m.push(0, pages(...batch[0]));
      m.push(1, pages(...batch[1]));
    }
    if (spill) assert.ok(statSync(file).size > 3 << 20, "pages past 1 MiB went to the file");
    m.drain(Infinity, (rec) => {
      assert.equal(tagOf(rec), expect);
      assert.equal(rec.ts, expect++);
    });
    assert.equal(m.queuedBytes, 0);
    if (spill) assert.equal(statSync(file).size, 0, "the file starts again once read");
  }
  assert.equal(expect, 4 * k);
  m.close();
  rmSync(dir, { recursive: true, force: true });
});

test("LiveRecordMerge stops at the deadline and resumes where it stopped", () => {
  const m = new LiveRecordMerge(LAYOUT);
  const times = Array.from({ length: 500 }, (_, i) => i * 2);
  for (let i = 0; i < 8; i++) m.push(0, page(times.map((t) => t + 1000 * i), times.map((_, k) => i * 500 + k)));
  const tags: number[] = [];
  let stops = 0;
  while (!m.drain(Infinity, (rec) => void tags.push(tagOf(rec)), -1)) stops++;
  assert.ok(stops >= 3, `stopped ${stops} times`);
  assert.deepEqual(tags, Array.from({ length: 4000 }, (_, i) => i));
});

test("LiveRecordMerge takes pages read into its room() in place, without a copy, in order with copied ones", () => {
  const m = new LiveRecordMerge(LAYOUT);
  const seen: number[] = [];
  const take = (rec: RawRecord): void => void seen.push(tagOf(rec));
  const room = m.room(2 * LAYOUT.pageSize);
  room.set(pages(page([100, 300], [1, 3]), page([500], [5])));
  m.push(0, room); // in place: the records are read from the room itself
  m.push(1, page([200, 400], [2, 4])); // copied after it
  room.set(page([150], [99]), 0); // proves the first push was not a copy: its first page now holds 99
  assert.equal(m.drain(Infinity, take), true);
  assert.deepEqual(seen, [99, 2, 4, 5]);
  // The next room starts after what is queued, and once all is decoded the slab starts over.
  const next = m.room(LAYOUT.pageSize);
  assert.equal(next.byteOffset, 0, "everything was decoded: the slab starts over");
  next.set(page([600], [6]));
  m.push(0, next.subarray(0, LAYOUT.pageSize));
  assert.equal(m.drain(Infinity, take), true);
  assert.deepEqual(seen.slice(4), [6]);
  assert.equal(m.queuedBytes, 0);
});

test("LiveRecordMerge merges runs from one CPU and equal times as a sort by (time, CPU) does, across watermarks", () => {
  // Runs of records from one CPU at a time, ties between CPUs, three CPUs: made with a seeded generator.
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const all: [number, number, number][] = [];
  const m = new LiveRecordMerge(LAYOUT);
  for (let cpu = 0; cpu < 3; cpu++) {
    const times: number[] = [];
    for (let t = 0; times.length < 300; ) {
      t += rand(3) === 0 ? 0 : rand(40);
      times.push(t);
    }
    const tags = times.map((_, i) => cpu * 1000 + i);
    m.push(cpu, pages(page(times.slice(0, 200), tags.slice(0, 200)), page(times.slice(200), tags.slice(200))));
    times.forEach((t, i) => all.push([t, cpu, tags[i]!]));
  }
  const want = [...all].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const seen: [number, number, number][] = [];
  const take = (rec: RawRecord): void => void seen.push([rec.ts, rec.cpu, tagOf(rec)]);
  for (const mark of [0, 700, 2500, 2501]) {
    assert.equal(m.drain(mark, take), true);
    assert.deepEqual(seen, want.filter((r) => r[0] <= mark), `up to ${mark}`);
  }
  m.drain(Infinity, take);
  assert.deepEqual(seen, want);
});
