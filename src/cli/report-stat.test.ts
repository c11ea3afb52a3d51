// `ftk report --stat` against trace-cmd 3.1.6 on v7 files whose BUFFER option lists only some CPUs
// (ftk record leaves out CPUs without data, as in the lab file where only CPU1 has data): trace-cmd
// prints a slot for every CPU from 0 to the highest, the missing ones as offset 0x0, 0 bytes.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { dataPage, v7, type Compression, type Cpus } from "../tracedat/synthetic-trace.js";
import { hasTraceCmd, traceCmdReport } from "../test-support/trace-cmd.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";
import { openTrace, snapshotTracefsState } from "../index.js";
import { assertTracefsUnchanged, openLiveTracefs } from "../tracefs/testing.js";
import { cpus as hostCpus } from "node:os";

const tmp = mkdtempSync(join(tmpdir(), "ftk-stat-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const skip = hasTraceCmd() ? false : "trace-cmd is not installed (apt-get install trace-cmd)";

const cpu = (ts: number, pid: number): Cpus => ({ pages: [dataPage(true, 8, ts, [{ delta: 0, id: 300, pid }, { delta: 7, id: 300, pid }])] });
const absent: Cpus = { pages: [], absent: true };
const layouts: { name: string; cpus: Cpus[] }[] = [
  { name: "only CPU1", cpus: [absent, cpu(1000, 2)] },
  { name: "CPUs 1 and 3", cpus: [absent, cpu(1000, 2), absent, cpu(2000, 3)] },
  { name: "CPU0 empty but listed, CPU2 only", cpus: [{ pages: [] }, absent, cpu(1000, 4)] },
];

for (const compression of ["none", "zstd"] as Compression[]) {
  for (const { name, cpus } of layouts) {
    test(`ftk report --stat on a v7 ${compression} file with ${name} matches trace-cmd`, { skip }, async () => {
      const path = join(tmp, `${compression}-${name.replace(/\W+/g, "-")}.dat`);
      writeFileSync(path, v7({ le: true, longSize: 8, compression, cpus, cpuCount: cpus.length }));
      const ftk = await runFtk(["report", "--stat", "-i", path]);
      const tc = await traceCmdReport(["--stat", "-i", path], (out) => out === ftk.stdout);
      assert.match(tc.stdout, /CPU0 data recorded at offset=/);
      assert.equal(ftk.stdout, tc.stdout, firstDifference(tc.stdout, ftk.stdout));
    });
  }
}

// The same on a real file: ftk record with only CPU1 in the cpumask writes a BUFFER option that lists
// CPU1 alone (the lab file of the issue).
const live = await openLiveTracefs();
const liveSkip = skip || live.skip || (hostCpus().length < 2 ? "needs two CPUs" : false);
test("ftk report --stat on a file ftk recorded on CPU1 only (-M 2) matches trace-cmd: CPU0 at offset 0x0, 0 bytes", { skip: liveSkip }, async () => {
  const snap = await snapshotTracefsState(live.fs!);
  const path = join(tmp, "cpu1-only.dat");
  const rec = await runFtk(["record", "-q", "-M", "2", "-e", "sched:sched_switch", "-o", path, "taskset", "-c", "1", "sh", "-c", "for i in 1 2 3; do /bin/true; done"]);
  assert.equal(rec.code, 0, rec.stderr);
  await assertTracefsUnchanged(live.fs!, snap);
  const t = await openTrace(path);
  assert.deepEqual(t.buffers[0]!.cpus.map((c) => c.cpu), [1], "the file's BUFFER option lists CPU1 alone");
  await t.close();
  const ftk = await runFtk(["report", "--stat", "-i", path]);
  const tc = await traceCmdReport(["--stat", "-i", path], (out) => out === ftk.stdout);
  assert.match(tc.stdout, /CPU0 data recorded at offset=0x0\n {4}0 bytes in size\nCPU1 data recorded at offset=0x[0-9a-f]+\n/);
  assert.equal(ftk.stdout, tc.stdout, firstDifference(tc.stdout, ftk.stdout));
});
