// openTrace() on small files built here byte by byte (trace-dat-format.md §2-§7): both byte orders,
// 4/8-byte commits, v6 options/clock block/instances/latency, v7 sections none/zlib/zstd with chunked data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TraceFileError } from "../base/index.js";
import { OPTION, RecordMerger, openTrace } from "./index.js";
import type { OpenTraceOptions, TraceFile } from "./index.js";
import { Out, PAGE, dataPage, strPayload, v6, v7 } from "./synthetic-trace.js";
import type { Cpus } from "./synthetic-trace.js";

const tmp = mkdtempSync(join(tmpdir(), "ftk-synth-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;

async function openBytes(bytes: Uint8Array, options: OpenTraceOptions = {}): Promise<TraceFile> {
  const path = join(tmp, `t${fileNo++}.dat`);
  writeFileSync(path, bytes);
  return openTrace(path, options);
}

/** [bufferIndex, cpu, ts, common_type, pid] of every record in merged order. */
async function records(t: TraceFile): Promise<number[][]> {
  const slots = [];
  for (let b = 0; b < t.buffers.length; b++) for (let c = 0; c < t.cpus; c++) slots.push({ stream: t.cpuStream(b, c), fileIndex: 0, bufferIndex: b });
  const m = new RecordMerger(slots);
  const rows: number[][] = [];
  for (let r = await m.next(); r !== undefined; r = await m.next()) {
    const le = t.littleEndian;
    rows.push([r.bufferIndex, r.rec.cpu, r.rec.ts, r.rec.view.getUint16(r.rec.pos, le), r.rec.view.getInt32(r.rec.pos + 4, le)]);
  }
  return rows;
}

function twoCpus(le: boolean, longSize: 4 | 8): Cpus[] {
  return [
    { pages: [dataPage(le, longSize, 1000, [{ delta: 0, id: 300, pid: 1 }, { delta: 10, id: 300, pid: 2 }]), dataPage(le, longSize, 2000, [{ delta: 5, id: 1, pid: 3 }])] },
    { pages: [dataPage(le, longSize, 1010, [{ delta: 0, id: 1, pid: 4 }])] },
  ];
}

/** Expected rows of twoCpus(): equal timestamps 1010 on cpu 0 and cpu 1 merge cpu 0 first. */
const TWO_CPUS_ROWS = [[0, 0, 1000, 300, 1], [0, 0, 1010, 300, 2], [0, 1, 1010, 1, 4], [0, 0, 2005, 1, 3]];

for (const le of [true, false]) {
  for (const longSize of [8, 4] as const) {
    const what = `${le ? "little" : "big"}-endian, ${longSize}-byte long`;
    test(`openTrace() reads a v6 file, ${what}`, async () => {
      const t = await openBytes(v6({ le, longSize, cpus: twoCpus(le, longSize) }));
      assert.equal(t.version, 6);
      assert.equal(t.littleEndian, le);
      assert.equal(t.layout.commitSize, longSize);
      assert.equal(t.layout.dataOffset, 8 + longSize);
      assert.equal(t.cpus, 2);
      assert.equal(t.savedCmdlines, "1 init\n");
      assert.deepEqual(t.eventFormats, [{ system: "sched", text: "name: sw\nID: 300\n" }]);
      assert.equal(t.traceClock, undefined);
      assert.deepEqual(await records(t), TWO_CPUS_ROWS);
      await t.close();
    });
    for (const compression of ["none", "zlib", "zstd"] as const) {
      test(`openTrace() reads a v7 file, ${compression}, ${what}`, async () => {
        const t = await openBytes(v7({ le, longSize, compression, cpus: twoCpus(le, longSize) }));
        assert.equal(t.version, 7);
        assert.equal(t.compression, compression);
        assert.equal(t.cpus, 2);
        assert.equal(t.kallsyms, "ffffffff81000000 T _stext\n");
        assert.equal(t.buffers[0]!.compressed, compression !== "none");
        assert.deepEqual(await records(t), TWO_CPUS_ROWS);
        await t.close();
      });
    }
  }
}

test("openTrace() streams many chunks and batches in order (v7 zstd, 45 pages)", async () => {
  const pages = Array.from({ length: 45 }, (_, i) => dataPage(true, 8, 1000 * i, [{ delta: 1, id: 1, pid: i }]));
  for (const compression of ["zstd", "none"] as const) {
    const t = await openBytes(v7({ le: true, longSize: 8, compression, cpus: [{ pages }] }));
    const rows = await records(t);
    assert.deepEqual(rows.map((r) => r[4]), Array.from({ length: 45 }, (_, i) => i));
    assert.deepEqual(rows.map((r) => r[2]), Array.from({ length: 45 }, (_, i) => 1000 * i + 1));
    await t.close();
  }
});

test("openTrace() decodes a partial last page of raw CPU data", async () => {
  const last = dataPage(true, 8, 3000, [{ delta: 2, id: 5, pid: 6 }, { delta: 3, id: 5, pid: 7 }]).slice(0, 16 + 32);
  const t = await openBytes(v6({ le: true, longSize: 8, cpus: [{ pages: [dataPage(true, 8, 1, [{ delta: 0, id: 1, pid: 1 }]), last] }] }));
  assert.equal(t.buffers[0]!.cpus[0]!.size, PAGE + 48);
  assert.deepEqual(await records(t), [[0, 0, 1, 1, 1], [0, 0, 3002, 5, 6], [0, 0, 3005, 5, 7]]);
  await t.close();
});

test("openTrace() reads a v6 instance from its BUFFER option, instance slots after the top buffer", async () => {
  const cpus = twoCpus(true, 8);
  const inst = [{ pages: [dataPage(true, 8, 1010, [{ delta: 0, id: 7, pid: 9 }])] }, { pages: [] }];
  const t = await openBytes(v6({ le: true, longSize: 8, cpus, instance: { name: "foo", cpus: inst } }));
  assert.deepEqual(t.buffers.map((b) => b.name), ["", "foo"]);
  const rows = await records(t);
  assert.deepEqual(rows[3], [1, 0, 1010, 7, 9]);
  assert.equal(rows.length, 5);
  await t.close();
});

test("openTrace() reads a v7 instance whose top buffer is empty", async () => {
  const inst = [{ pages: [dataPage(true, 8, 5, [{ delta: 0, id: 7, pid: 9 }])] }];
  const t = await openBytes(v7({ le: true, longSize: 8, compression: "zstd", cpus: [], cpuCount: 4, instance: { name: "inst1", cpus: inst } }));
  assert.deepEqual(t.buffers.map((b) => [b.name, b.cpus.length]), [["", 0], ["inst1", 1]]);
  assert.equal(t.cpus, 4);
  assert.deepEqual(await records(t), [[1, 0, 5, 7, 9]]);
  await t.close();
});

test("openTrace() reads the v6 clock block only after a TRACECLOCK option", async () => {
  const cpus = twoCpus(true, 8);
  const without = await openBytes(v6({ le: true, longSize: 8, cpus, clockBlock: "[global]" }));
  assert.equal(without.traceClock, undefined);
  await without.close();
  const empty = { id: OPTION.TRACECLOCK, payload: new Uint8Array(0) };
  const old = await openBytes(v6({ le: true, longSize: 8, cpus, options: [empty], clockBlock: "[local] global counter\n" }));
  assert.equal(old.traceClock, "local");
  await old.close();
  const t = await openBytes(v6({ le: true, longSize: 8, cpus, options: [empty], clockBlock: "[counter]" }));
  assert.equal(t.traceClock, "counter");
  assert.equal(t.buffers[0]!.clock, "counter");
  assert.deepEqual(await records(t), TWO_CPUS_ROWS);
  await t.close();
});

test("openTrace() takes the v6 cpu count from a CPUCOUNT option", async () => {
  const cpus = [...twoCpus(true, 8), { pages: [] }];
  const count = { id: OPTION.CPUCOUNT, payload: new Out(true).u32(3).bytes() };
  const t = await openBytes(v6({ le: true, longSize: 8, cpus, headerCpus: 1, options: [count] }));
  assert.equal(t.cpus, 3);
  assert.equal(t.buffers[0]!.cpus.length, 3);
  await t.close();
});

test("openTrace() reads v6 latency text", async () => {
  const t = await openBytes(v6({ le: true, longSize: 8, cpus: [{ pages: [] }], latency: "# tracer: irqsoff\nline\n" }));
  assert.equal(t.latencyText, "# tracer: irqsoff\nline\n");
  assert.equal(t.cpus, 1);
  await t.close();
});

test("openTrace() reads v7 latency text from a BUFFER_TEXT section (plain and chunked zlib/zstd)", async () => {
  const text = "# tracer: wakeup\n" + "x".repeat(50000) + "\nend\n";
  for (const compression of ["none", "zlib", "zstd"] as const) {
    const t = await openBytes(v7({ le: true, longSize: 8, compression, cpus: [], cpuCount: 2, latency: text }));
    assert.equal(t.latencyText, text);
    assert.equal(t.cpus, 2);
    assert.deepEqual(await records(t), []);
    await t.close();
  }
});

test("openTrace() reads v7 metadata options: uname, version, clock, cpustat", async () => {
  const options = [
    { id: OPTION.TRACECLOCK, payload: strPayload("local [global] counter\n") },
    { id: OPTION.UNAME, payload: strPayload("Linux host 6.1.0 x86_64") },
    { id: OPTION.VERSION, payload: strPayload("3.1.6 not-a-git-repo") },
    { id: OPTION.CPUSTAT, payload: strPayload("CPU: 0\nentries: 3\n") },
  ];
  const t = await openBytes(v7({ le: false, longSize: 8, compression: "zlib", cpus: twoCpus(false, 8), options }));
  assert.equal(t.uname, "Linux host 6.1.0 x86_64");
  assert.equal(t.traceCmdVersion, "3.1.6 not-a-git-repo");
  assert.equal(t.traceClock, "global");
  assert.deepEqual(t.cpuStats, ["CPU: 0\nentries: 3\n"]);
  assert.ok(t.options.some((o) => o.id === OPTION.UNAME));
  await t.close();
});

test("openTrace() warns once per unknown option id", async () => {
  const warnings: string[] = [];
  const odd = { id: 99, payload: Uint8Array.of(1, 2, 3) };
  const t = await openBytes(v6({ le: true, longSize: 8, cpus: twoCpus(true, 8), options: [odd, odd] }), { onWarning: (m) => warnings.push(m) });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /unknown option 99/);
  assert.deepEqual(await records(t), TWO_CPUS_ROWS);
  await t.close();
});

test("openTrace() adds OFFSET, DATE (µs) and tsOffset unless rawTs", async () => {
  const options = [
    { id: OPTION.OFFSET, payload: strPayload("-500") },
    { id: OPTION.DATE, payload: strPayload("0x2") },
  ];
  const bytes = v6({ le: true, longSize: 8, cpus: twoCpus(true, 8), options });
  const t = await openBytes(bytes, { tsOffset: 7 });
  assert.equal(t.tsOffset, -500 + 2000 + 7);
  assert.deepEqual((await records(t)).map((r) => r[2]), [2507, 2517, 2517, 3512]);
  await t.close();
  const noDate = await openBytes(bytes, { noDate: true });
  assert.deepEqual((await records(noDate)).map((r) => r[2]), [500, 510, 510, 1505]);
  await noDate.close();
  const raw = await openBytes(bytes, { rawTs: true, tsOffset: 7 });
  assert.deepEqual((await records(raw)).map((r) => r[2]), [1000, 1010, 1010, 2005]);
  await raw.close();
});

test("openTrace() converts with TSC2NSEC (mult, shift) before the offset", async () => {
  const tsc = { id: OPTION.TSC2NSEC, payload: new Out(true).u32(3).u32(1).u64(0).bytes() };
  const t = await openBytes(v7({ le: true, longSize: 8, compression: "none", cpus: twoCpus(true, 8), options: [tsc] }), { tsOffset: 1 });
  assert.deepEqual((await records(t)).map((r) => r[2]), [1501, 1516, 1516, 3008]);
  assert.deepEqual(t.tsc2nsec, { mult: 3, shift: 1, offset: 0n });
  await t.close();
});

test("openTrace() scales by --ts2secs instead of TSC2NSEC and then ignores the trace clock", async () => {
  const tsc = { id: OPTION.TSC2NSEC, payload: new Out(true).u32(3).u32(1).u64(0).bytes() };
  const clock = { id: OPTION.TRACECLOCK, payload: strPayload("[x86-tsc]") };
  const t = await openBytes(v7({ le: true, longSize: 8, compression: "none", cpus: twoCpus(true, 8), options: [tsc, clock] }), { ts2secsHz: 500e6 });
  assert.deepEqual((await records(t)).map((r) => r[2]), [2000, 2020, 2020, 4010]);
  assert.equal(t.traceClock, undefined);
  await t.close();
});

test("RecordMerger.forFiles() orders equal times by file, then top buffer before instances, then cpu", async () => {
  const inst = [{ pages: [dataPage(true, 8, 1010, [{ delta: 0, id: 7, pid: 9 }])] }, { pages: [] }];
  const a = await openBytes(v6({ le: true, longSize: 8, cpus: twoCpus(true, 8), instance: { name: "i", cpus: inst } }));
  const b = await openBytes(v7({ le: true, longSize: 8, compression: "zstd", cpus: twoCpus(true, 8) }));
  const m = RecordMerger.forFiles([a, b]);
  const keys: string[] = [];
  for (let r = await m.next(); r !== undefined; r = await m.next()) keys.push(`${r.rec.ts}:${r.fileIndex}.${r.bufferIndex}.${r.rec.cpu}`);
  assert.deepEqual(keys, [
    "1000:0.0.0", "1000:1.0.0",
    "1010:0.0.0", "1010:0.0.1", "1010:0.1.0", "1010:1.0.0", "1010:1.0.1",
    "2005:0.0.0", "2005:1.0.0",
  ]);
  const only1 = RecordMerger.forFiles([b], [1]);
  assert.equal((await only1.next())?.rec.cpu, 1);
  assert.equal(await only1.next(), undefined);
  await a.close();
  await b.close();
});

test("RecordMerger.peek() shows the next record without consuming it", async () => {
  const t = await openBytes(v6({ le: true, longSize: 8, cpus: twoCpus(true, 8) }));
  const m = new RecordMerger([0, 1].map((c) => ({ stream: t.cpuStream(0, c), fileIndex: 0, bufferIndex: 0 })));
  assert.equal((await m.peek())?.ts, 1000);
  assert.equal((await m.next())?.rec.ts, 1000);
  const p = await m.peek();
  assert.deepEqual([p?.ts, p?.cpu], [1010, 0]);
  const n = await m.next();
  assert.deepEqual([n?.rec.ts, n?.rec.cpu], [1010, 0]);
  assert.equal((await m.peek())?.cpu, 1);
  assert.equal((await m.next())?.rec.cpu, 1);
  assert.equal((await m.next())?.rec.ts, 2005);
  assert.equal(await m.peek(), undefined);
  assert.equal(await m.next(), undefined);
  await t.close();
});

/** Runs openTrace() on bytes and returns the TraceFileError message (fails if it opens or throws otherwise). */
async function openError(bytes: Uint8Array | undefined, path?: string): Promise<string> {
  try {
    const t = bytes === undefined ? await openTrace(path!) : await openBytes(bytes);
    await records(t);
    await t.close();
  } catch (e) {
    assert.ok(e instanceof TraceFileError, `not a TraceFileError: ${String(e)}`);
    assert.ok(!e.message.includes("\n"));
    return e.message;
  }
  assert.fail("no error");
}

test("openTrace() names the file and the problem for bad input", async () => {
  const good = v6({ le: true, longSize: 8, cpus: twoCpus(true, 8) });
  const missing = join(tmp, "missing.dat");
  assert.equal(await openError(undefined, missing), `cannot read '${missing}': no such file or directory`);
  mkdirSync(join(tmp, "dir.dat"));
  assert.match(await openError(undefined, join(tmp, "dir.dat")), /: is a directory$/);
  assert.match(await openError(new Uint8Array(0)), /: empty file/);
  const bad = good.slice();
  bad[1] = 0;
  assert.match(await openError(bad), /: not a trace\.dat file \(bad magic\)$/);
  const v9 = good.slice();
  v9[10] = 0x39;
  assert.match(await openError(v9), /unsupported trace\.dat version '9'/);
  assert.match(await openError(good.slice(0, 100)), /section 'headers' truncated or corrupt \(header_page size 205 but \d+ bytes left\) at offset 0x1e$/);
  assert.match(await openError(good.slice(0, 300)), /section 'events format' truncated at offset 0x12b$/);
  assert.match(await openError(good.slice(0, PAGE + 100)), /cpu 0 data at offset 0x1000 needs \d+ bytes but the file has \d+/);
  const v7good = v7({ le: true, longSize: 8, compression: "zstd", cpus: twoCpus(true, 8) });
  const corrupt = v7good.slice();
  corrupt[60] ^= 0xff; // inside the compressed headers section
  assert.match(await openError(corrupt), /section 'headers'/);
});
