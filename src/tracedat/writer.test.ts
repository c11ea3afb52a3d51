// Tests of writeTraceDat(): synthetic pages written as v6/v7, none/zstd/zlib, walked back by hand
// (format doc §4-§5) and read by `trace-cmd report` when it is installed (the oracle).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { findDecompressor } from "./decompress.js";
import { writeTraceDat } from "./writer.js";
import type { TraceDatBuffer, TraceDatCompression, TraceDatMetadata } from "./writer.js";

/** The reader's own zstd decoder (node:zlib or WebAssembly). */
const unzstd = (await findDecompressor("zstd"))!;

const HEADER_PAGE =
  "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n" +
  "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n" +
  "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n" +
  "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";
const HEADER_EVENT =
  "# compressed entry header\n\ttype_len    :    5 bits\n\ttime_delta  :   27 bits\n\tarray       :   32 bits\n\n" +
  "\tpadding     : type == 29\n\ttime_extend : type == 30\n\ttime_stamp : type == 31\n\tdata max type_len  == 28\n";
const SAMPLE_FORMAT =
  "name: sample\nID: 900\nformat:\n" +
  "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" +
  "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" +
  "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" +
  "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n" +
  "\tfield:unsigned int value;\toffset:8;\tsize:4;\tsigned:0;\n\n" +
  'print fmt: "value=%u", REC->value\n';

const EVENTS_PER_PAGE = 200;

/** Pages of `sample` events (short form, type_len 3: 12-byte payload), 1 µs apart. */
function samplePages(pages: number, startNs: number, pid: number): Uint8Array {
  const out = new Uint8Array(pages * 4096);
  const v = new DataView(out.buffer);
  let value = 0;
  for (let p = 0; p < pages; p++) {
    const base = p * 4096;
    v.setBigUint64(base, BigInt(startNs + p * EVENTS_PER_PAGE * 1000), true);
    v.setBigUint64(base + 8, BigInt(EVENTS_PER_PAGE * 16), true);
    for (let i = 0; i < EVENTS_PER_PAGE; i++) {
      const at = base + 16 + i * 16;
      v.setUint32(at, 3 | ((i === 0 ? 0 : 1000) << 5), true);
      v.setUint16(at + 4, 900, true);
      v.setInt32(at + 8, pid, true);
      v.setUint32(at + 12, value++, true);
    }
  }
  return out;
}

const META: TraceDatMetadata = {
  headerPage: HEADER_PAGE,
  headerEvent: HEADER_EVENT,
  ftraceFormats: [],
  eventFormats: [{ system: "ftktest", formats: [SAMPLE_FORMAT] }],
  kallsyms: "ffffffff81000000 T _stext\n",
  printkFormats: "",
  savedCmdlines: "42 worker\n43 other\n",
};

function setup(dir: string): TraceDatBuffer[] {
  const cpu0 = join(dir, "cpu0");
  const cpu1 = join(dir, "cpu1");
  writeFileSync(cpu0, samplePages(25, 1_000_000_000, 42));
  writeFileSync(cpu1, samplePages(1, 1_000_000_500, 43));
  return [
    { name: "", clock: "local", pageSize: 4096, cpuFiles: [cpu0, cpu1, undefined], cpuStats: ["entries: 0\n", "entries: 0\n", "entries: 0\n"] },
  ];
}

/** Walks a v7 file's sections and returns the raw bytes of each CPU of the top buffer. */
function walkV7(file: Uint8Array): { compression: string; ids: number[]; cpuData: Map<number, Uint8Array> } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let p = 18;
  const cstr = (): string => {
    const end = file.indexOf(0, p);
    const s = Buffer.from(file.subarray(p, end)).toString("latin1");
    p = end + 1;
    return s;
  };
  const compression = cstr();
  cstr();
  let optionsAt = Number(v.getBigUint64(p, true));
  const inflate = (b: Uint8Array, size: number): Uint8Array => {
    if (compression === "zlib") return inflateSync(b);
    const dst = new Uint8Array(size);
    return dst.subarray(0, unzstd(b, dst));
  };
  const ids: number[] = [];
  const cpuData = new Map<number, Uint8Array>();
  while (optionsAt !== 0) {
    assert.equal(v.getUint16(optionsAt, true), 0, "options section id");
    let q = optionsAt + 16;
    optionsAt = 0;
    for (;;) {
      const id = v.getUint16(q, true);
      const size = v.getUint32(q + 2, true);
      ids.push(id);
      if (id === 0) {
        optionsAt = Number(v.getBigUint64(q + 6, true));
        break;
      }
      if (id === 3) {
        let r = q + 6 + 8;
        const nameEnd = file.indexOf(0, r);
        const name = Buffer.from(file.subarray(r, nameEnd)).toString("latin1");
        r = file.indexOf(0, nameEnd + 1) + 1 + 4;
        const n = v.getUint32(r, true);
        r += 4;
        for (let i = 0; i < n && name === ""; i++) {
          const cpu = v.getUint32(r, true);
          const off = Number(v.getBigUint64(r + 4, true));
          const sz = Number(v.getBigUint64(r + 12, true));
          assert.equal(off % 4096, 0, "cpu data page aligned");
          if (compression === "none") cpuData.set(cpu, file.subarray(off, off + sz));
          else {
            const chunks = v.getUint32(off, true);
            const parts: Uint8Array[] = [];
            let c = off + 4;
            for (let k = 0; k < chunks; k++) {
              const csize = v.getUint32(c, true);
              const usize = v.getUint32(c + 4, true);
              const raw = inflate(file.subarray(c + 8, c + 8 + csize), usize);
              assert.equal(raw.length, usize);
              parts.push(raw);
              c += 8 + csize;
            }
            assert.equal(c - off - 4, sz, "recorded size leaves out the chunk count (trace-cmd 3.1.6)");
            cpuData.set(cpu, new Uint8Array(Buffer.concat(parts)));
          }
          r += 20;
        }
      }
      q += 6 + size;
    }
  }
  return { compression, ids, cpuData };
}

const hasTraceCmd = spawnSync("trace-cmd", ["--help"]).error === undefined;

for (const compression of ["none", "zstd", "zlib"] as TraceDatCompression[]) {
  test(`writeTraceDat() v7 ${compression} stores every CPU page unchanged`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "ftk-writer-"));
    try {
      const buffers = setup(dir);
      const out = join(dir, "trace.dat");
      const res = await writeTraceDat(out, META, buffers, { version: 7, compression, pageSize: 4096, cpuCount: 3 });
      const file = new Uint8Array(readFileSync(out));
      assert.equal(res.bytes, file.length);
      const walked = walkV7(file);
      assert.equal(walked.compression, compression);
      for (const id of [16, 17, 18, 19, 20, 21, 8, 2, 3]) assert.ok(walked.ids.includes(id), `option ${id} present`);
      assert.deepEqual([...walked.cpuData.keys()], [0, 1], "empty CPU 2 is left out of the BUFFER option");
      assert.deepEqual(walked.cpuData.get(0), new Uint8Array(readFileSync(join(dir, "cpu0"))));
      assert.deepEqual(walked.cpuData.get(1), new Uint8Array(readFileSync(join(dir, "cpu1"))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("writeTraceDat() v6, v7 none and v7 zstd files read the same in trace-cmd report", { skip: hasTraceCmd ? false : "trace-cmd not installed" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-writer-"));
  try {
    const buffers = setup(dir);
    const outputs: string[] = [];
    for (const [version, compression] of [[6, "none"], [7, "none"], [7, "zstd"]] as const) {
      const out = join(dir, `t${version}${compression}.dat`);
      await writeTraceDat(out, META, buffers, { version, compression, pageSize: 4096, cpuCount: 3, traceClock: "[local] global\n" });
      const r = spawnSync("trace-cmd", ["report", out], { encoding: "latin1", maxBuffer: 1 << 26 });
      assert.equal(r.stderr, "", `trace-cmd report warns on v${version} ${compression}`);
      assert.equal(r.status, 0);
      outputs.push(r.stdout);
      const dump = spawnSync("trace-cmd", ["dump", "--all", out], { encoding: "latin1", maxBuffer: 1 << 26 });
      assert.equal(dump.stderr, "", `trace-cmd dump warns on v${version} ${compression}`);
      assert.equal(dump.status, 0);
    }
    assert.equal(outputs[1], outputs[0]);
    assert.equal(outputs[2], outputs[0]);
    const lines = outputs[0]!.split("\n").filter((l) => l !== "");
    assert.equal(lines[0], "cpus=3");
    assert.equal(lines.length, 1 + 26 * EVENTS_PER_PAGE);
    assert.match(lines[1]!, /^\s+worker-42\s+\[000\]\s+1\.000000: sample:\s+value=0$/);
    assert.ok(lines.some((l) => /other-43 +\[001\] .* value=199$/.test(l)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeTraceDat() v6 stores an instance after the top buffer", { skip: hasTraceCmd ? false : "trace-cmd not installed" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-writer-"));
  try {
    const [top] = setup(dir);
    const inst: TraceDatBuffer = { ...top!, name: "inst1" };
    for (const version of [6, 7] as const) {
      const out = join(dir, `i${version}.dat`);
      await writeTraceDat(out, META, [{ ...top!, cpuFiles: [] }, inst], { version, compression: "none", pageSize: 4096, cpuCount: 3 });
      const text = execFileSync("trace-cmd", ["report", out], { encoding: "latin1", maxBuffer: 1 << 26 });
      const lines = text.split("\n").filter((l) => l !== "");
      assert.equal(lines.length, 1 + 26 * EVENTS_PER_PAGE, `v${version}`);
      assert.match(lines[1]!, /^inst1: +worker-42 /);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeTraceDat() refuses compression with version 6", async () => {
  await assert.rejects(
    writeTraceDat("/nonexistent/x.dat", META, [{ name: "", clock: "local", pageSize: 4096, cpuFiles: [] }], {
      version: 6,
      compression: "zstd",
      pageSize: 4096,
      cpuCount: 1,
    }),
    /needs --file-version 7/,
  );
});

test("writeTraceDat() names an unwritable output in one line", async () => {
  await assert.rejects(
    writeTraceDat("/nonexistent-dir/x.dat", META, [{ name: "", clock: "local", pageSize: 4096, cpuFiles: [] }], {
      pageSize: 4096,
      cpuCount: 1,
    }),
    /cannot create '\/nonexistent-dir\/x\.dat': no such file or directory/,
  );
});
