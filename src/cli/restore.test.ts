// ftk restore: a record is killed (SIGKILL) after it read the buffers but before it wrote trace.dat; its
// per-CPU files become a trace.dat that trace-cmd 3.1.6 reads with nothing on stderr, and that ftk
// reports the same way. The kill leaves a journal that 'ftk stat' replays, so tracefs ends as it began.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, suite, test } from "node:test";
import { groupCpuFiles, snapshotTracefsState } from "../index.js";
import { ftkBin } from "../test-support/paths.js";
import { assertTracefsUnchanged, openLiveTracefs, testInstanceName } from "../tracefs/testing.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";

const live = await openLiveTracefs();
const hasTraceCmd = spawnSync("trace-cmd", ["--help"]).error === undefined;

test("groupCpuFiles() puts <base>.cpuN in the top buffer and <base>.NAME.cpuN in instance NAME", () => {
  assert.deepEqual(groupCpuFiles(["t.dat.cpu1", "t.dat.x.cpu0", "t.dat.cpu0"]), [
    { name: "", cpuFiles: ["t.dat.cpu0", "t.dat.cpu1"] },
    { name: "x", cpuFiles: ["t.dat.x.cpu0"] },
  ]);
  assert.throws(() => groupCpuFiles(["t.dat"]), /must end in \.cpuN/);
  assert.throws(() => groupCpuFiles(["a.cpu0", "a.cpu0"]), /two files for CPU 0/);
});

suite("ftk restore after an interrupted record", { skip: live.skip || (hasTraceCmd ? false : "trace-cmd not installed") }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ftk-restore-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("restore makes a trace.dat from the .cpuN files that trace-cmd reads, with -i as without", async () => {
    const fs = live.fs!;
    const snap = await snapshotTracefsState(fs);
    const base = join(dir, "r.dat");
    const inst = testInstanceName("restore");
    const child = spawn(process.execPath, [ftkBin(), "record", "-q", "-o", base, "-e", "sched", "-B", inst, "-e", "sched:sched_process_exec", "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do /bin/true; done"], {
      env: { ...process.env, FTK_TEST_PAUSE: "mid-extract" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    let err = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        if (err.includes("test pause at 'mid-extract'")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`ftk record exited (${code}): ${err}`)));
    });
    child.kill("SIGKILL");
    await exited;
    assert.match(spawnSync(process.execPath, [ftkBin(), "stat"], { encoding: "utf8" }).stderr, /restored the tracing state/);
    await assertTracefsUnchanged(fs, snap);

    const parts = readdirSync(dir).filter((f) => /\.cpu\d+$/.test(f)).map((f) => join(dir, f));
    assert.ok(parts.some((p) => p.includes(`.${inst}.cpu`)), `instance files: ${parts.join(" ")}`);
    const out = join(dir, "restored.dat");
    const r = await runFtk(["restore", "-o", out, ...parts]);
    assert.equal(r.code, 0, r.stderr);
    const tc = spawnSync("trace-cmd", ["report", out], { encoding: "latin1", maxBuffer: 1 << 28 });
    assert.equal(tc.stderr, "");
    assert.match(tc.stdout, / sched_switch: /);
    assert.match(tc.stdout, / sched_process_exec: /);
    const ours = await runFtk(["report", out]);
    assert.equal(firstDifference(tc.stdout, ours.stdout), undefined);

    const head = join(dir, "head.dat");
    assert.equal((await runFtk(["restore", "-c", "-o", head])).code, 0);
    const out2 = join(dir, "restored2.dat");
    assert.equal((await runFtk(["restore", "-i", head, "-o", out2, ...parts])).code, 0);
    const tc2 = spawnSync("trace-cmd", ["report", out2], { encoding: "latin1", maxBuffer: 1 << 28 });
    assert.equal(tc2.stderr, "");
    assert.equal(firstDifference(tc.stdout, tc2.stdout), undefined);
    await assertTracefsUnchanged(fs, snap);
  });

  test("restore -k FILE stores those kernel symbols (trace-cmd report -f lists them), -t DIR reads that tracing directory", async () => {
    const fs = live.fs!;
    const snap = await snapshotTracefsState(fs);
    const ks = join(dir, "kallsyms.txt");
    writeFileSync(ks, "ffffffff81000000 T ftk_first_symbol\nffffffff81001000 t ftk_second_symbol\n");
    const head = join(dir, "k-head.dat");
    const r = await runFtk(["restore", "-c", "-k", ks, "-t", fs.root, "-o", head]);
    assert.equal(r.code, 0, r.stderr);
    const tc = spawnSync("trace-cmd", ["report", "-f", head], { encoding: "latin1" });
    assert.equal(tc.stderr, "");
    assert.equal(tc.stdout, "ffffffff81000000 ftk_first_symbol\nffffffff81001000 ftk_second_symbol\n");
    const badDir = await runFtk(["restore", "-c", "-t", join(dir, "no-such-dir"), "-o", join(dir, "x.dat")]);
    assert.equal(badDir.code, 1);
    assert.match(badDir.stderr, /^ftk restore: cannot open tracefs at '.*no-such-dir'/);
    const badKs = await runFtk(["restore", "-c", "-k", join(dir, "no-such-file"), "-o", join(dir, "x.dat")]);
    assert.equal(badKs.code, 1);
    assert.match(badKs.stderr, /^ftk restore: cannot read kallsyms file '.*no-such-file'/);
    await assertTracefsUnchanged(fs, snap);
  });

  test("restore usage errors exit 2", async () => {
    assert.equal((await runFtk(["restore", "-o", join(dir, "x.dat")])).code, 2, "no files");
    assert.equal((await runFtk(["restore", "-o", join(dir, "x.dat"), join(dir, "not-a-cpu-file")])).code, 2);
  });
});
