// ftk dump prints trace-cmd 3.1.6's dump summary byte for byte: on every real fixture, and on files ftk
// writes itself (convert to v6, v7 zstd and v7 uncompressed).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, suite, test } from "node:test";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";

const skipShared = skipWithoutShared();
const hasTraceCmd = spawnSync("trace-cmd", ["--help"]).error === undefined;
const fixtures = skipShared === false ? join(sharedDir()!, "fixtures", "tracedat") : "";
const files = skipShared === false ? readdirSync(fixtures).filter((f) => f.endsWith(".dat")).sort() : [];

async function assertSameDump(path: string, view?: string): Promise<void> {
  const args = view === undefined ? [path] : [`--${view}`, path];
  const theirs = spawnSync("trace-cmd", ["dump", ...args], { encoding: "latin1", maxBuffer: 1 << 28 });
  const ours = await runFtk(["dump", ...args]);
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(ours.stderr, "");
  const diff = firstDifference(theirs.stdout, ours.stdout);
  assert.equal(diff, undefined, `${view ?? "summary"} of ${path}: ${diff}`);
}

suite("ftk dump", { skip: skipShared || (hasTraceCmd ? false : "trace-cmd not installed (the oracle)") }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-dump-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("dump matches trace-cmd dump on every fixture", async () => {
    for (const name of files) await assertSameDump(join(fixtures, name));
  });

  test("dump --head-page, --head-event, --cmd-lines, --printk, --systems and --clock match trace-cmd on every fixture", async () => {
    for (const name of files) {
      for (const view of ["head-page", "head-event", "cmd-lines", "printk", "systems", "clock"]) await assertSameDump(join(fixtures, name), view);
    }
  });

  test("dump views ftk does not print yet are refused: one line, exit 2", async () => {
    const r = await runFtk(["dump", "--kallsyms", join(fixtures, files[0]!)]);
    assert.equal(r.code, 2);
  });

  test("dump matches trace-cmd dump on files ftk writes", async () => {
    for (const [input, version, compression] of [
      ["v6-i686-1cpu-sched-switch.dat", "7", "zstd"],
      ["lab-v7-zstd-x86_64-2cpu-instance.dat", "6", "none"],
      ["v6-arm64-6cpu-sched-switch.dat", "7", "none"],
    ] as const) {
      const out = join(dir, `${input}.${version}.${compression}.dat`);
      assert.equal((await runFtk(["convert", "-i", join(fixtures, input), "-o", out, "--file-version", version, "--compression", compression])).code, 0);
      await assertSameDump(out);
      await assertSameDump(out, "clock");
      await assertSameDump(out, "cmd-lines");
    }
  });

  test("dump of a file that is not a trace.dat: one line, exit 1", async () => {
    const r = await runFtk(["dump", join(fixtures, "MANIFEST.tsv")]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split("\n").filter((l) => l !== "").length, 1);
  });
});
