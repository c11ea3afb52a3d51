// Issue 11: zstd needs a codec. Under `node --jitless` there is no WebAssembly, so where node:zlib has no
// zstd either (Node before 22.15) nothing can compress: a default recording is written without compression
// and says so once; `--compression zstd` fails with one line naming what works. Touches tracefs (lock).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as zlib from "node:zlib";
import { ftkBin } from "../test-support/paths.js";
import { assertTracefsUnchanged, openLiveTracefs } from "../tracefs/testing.js";
import { snapshotTracefsState } from "../tracefs/index.js";

const live = await openLiveTracefs();
const skip =
  live.skip ||
  ("zstdCompressSync" in zlib ? `node:zlib has zstd on Node ${process.version}: there is always a codec` : false);
const dir = mkdtempSync(join(tmpdir(), "ftk-nozstd-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `ftk record ARGS` in a Node without WebAssembly. */
function recordWithoutWasm(args: string[]) {
  const r = spawnSync(process.execPath, ["--jitless", ftkBin(), "record", ...args], { encoding: "latin1", cwd: dir });
  // V8's own notice about --jitless, not ftk's.
  return { ...r, stderr: r.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/m, "") };
}

test("record without a zstd codec: default writes an uncompressed v7 file and says so once", { skip }, async () => {
  const before = await snapshotTracefsState(live.fs!);
  const out = join(dir, "default.dat");
  const r = recordWithoutWasm(["-q", "-e", "sched:sched_process_exec", "-o", out, "true"]);
  assert.equal(r.status, 0, r.stderr);
  const notes = r.stderr.split("\n").filter((l) => /zstd/.test(l));
  assert.equal(notes.length, 1, r.stderr);
  assert.match(notes[0]!, /^ftk record: zstd is not available here \(.*\): writing the file without compression$/);
  assert.match(readFileSync(out).subarray(0, 24).toString("latin1"), /tracing7\0\0\x08....none\0/s);
  const report = spawnSync("trace-cmd", ["report", out], { encoding: "latin1" });
  if (report.error === undefined) {
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, /sched_process_exec:/);
  }
  await assertTracefsUnchanged(live.fs!, before);
});

test("record --compression zstd without a codec fails with one line that names the values which work", { skip }, async () => {
  const before = await snapshotTracefsState(live.fs!);
  const r = recordWithoutWasm(["--compression", "zstd", "-e", "sched:sched_process_exec", "-o", join(dir, "z.dat"), "true"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^ftk record: --compression zstd: no zstd codec works here \(.*\): give --compression none or zlib\n$/);
  await assertTracefsUnchanged(live.fs!, before);
});
