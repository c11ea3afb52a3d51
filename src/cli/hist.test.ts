// ftk hist prints trace-cmd 3.1.6's `hist` byte for byte: on every fixture it accepts (function_graph,
// function, kernel_stack after events, plain events, an instance), with and without -P, and on the 418k
// function_graph bench file.
//
// Differences from trace-cmd, on purpose (no fixture shows them):
// - A file with several instances: trace-cmd keeps its counts across instances, so each instance's
//   output repeats the ones before it (and runs into them without a blank line). ftk counts each
//   instance on its own and puts a blank line between them.
// - A kernel_stack right after a function_graph exit to depth 0 of the same task: trace-cmd reads the
//   word before an empty array as the leaf (undefined behaviour); ftk adds no leaf.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { suite, test } from "node:test";
import { percent2 } from "../report/index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";

const skipShared = skipWithoutShared();
const hasTraceCmd = spawnSync("trace-cmd", ["--help"]).error === undefined;
const fixtures = skipShared === false ? join(sharedDir()!, "fixtures", "tracedat") : "";
const files = skipShared === false ? readdirSync(fixtures).filter((f) => f.endsWith(".dat")).sort() : [];

function traceCmdHist(args: string[]): { code: number; stdout: string } {
  const r = spawnSync("trace-cmd", ["hist", ...args], { encoding: "latin1", maxBuffer: 1 << 30 });
  return { code: r.status ?? -1, stdout: r.stdout };
}

async function assertSameHist(args: string[]): Promise<void> {
  const theirs = traceCmdHist(args);
  const ours = await runFtk(["hist", ...args]);
  if (theirs.code !== 0) {
    // trace-cmd dies (no records): ftk says why in one line and exits 1.
    assert.equal(ours.code, 1, `${args.join(" ")}: ${ours.stderr}`);
    assert.equal(ours.stdout, "");
    assert.equal(ours.stderr.trimEnd().split("\n").length, 1, ours.stderr);
    return;
  }
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(ours.stderr, "");
  assert.ok(ours.stdout.length > 0, `${args.join(" ")}: empty output`);
  const diff = firstDifference(theirs.stdout, ours.stdout);
  assert.equal(diff, undefined, `hist ${args.join(" ")}: ${diff}`);
}

test("percent2 rounds an exact tie to even, as glibc's %.2f does", () => {
  assert.equal(percent2(800, 1), "0.12"); // 0.125 exactly
  assert.equal(percent2(800, 3), "0.38"); // 0.375 exactly
  assert.equal(percent2(3, 1), "33.33");
  assert.equal(percent2(3, 2), "66.67");
  assert.equal(percent2(1, 1), "100.00");
});

suite("ftk hist", { skip: skipShared || (hasTraceCmd ? false : "trace-cmd not installed (the oracle)") }, () => {
  test("hist -i FILE matches trace-cmd hist on every fixture", async () => {
    for (const name of files) await assertSameHist(["-i", join(fixtures, name)]);
  });

  test("hist -P FILE (all pids in one tree) matches trace-cmd on every fixture", async () => {
    for (const name of files) await assertSameHist(["-P", join(fixtures, name)]);
  });

  test("hist matches trace-cmd on the 418k-event function_graph bench file", async (t) => {
    const big = join(sharedDir()!, "fixtures", "bench", "lab-v7-zstd-x86_64-funcgraph-sched-syscalls-418k.dat");
    if (!existsSync(big)) return t.skip("bench fixture missing");
    await assertSameHist([big]);
  });

  test("hist --help, and usage errors exit 2", async () => {
    const help = await runFtk(["hist", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: ftk hist \[-i file\] \[-P\] \[file\]/);
    const twice = await runFtk(["hist", "-i", "a.dat", "-i", "b.dat"]);
    assert.equal(twice.code, 2);
    const bad = await runFtk(["hist", "--nope"]);
    assert.equal(bad.code, 2);
  });

  test("hist of a file that is not a trace.dat: one line, exit 1", async () => {
    const r = await runFtk(["hist", join(fixtures, "MANIFEST.tsv")]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  });
});
