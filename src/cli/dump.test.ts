// ftk dump prints what trace-cmd 3.1.6's dump prints, byte for byte: every part (--summary, --head-page,
// --head-event, --ftrace-events, --systems, --events, --kallsyms, --printk, --cmd-lines, --options,
// --flyrecord, --clock, --sections, --strings), --all, parts together (printed in file order) and -v,
// on every real fixture, and on files ftk writes itself (convert to v6, v7 zstd and v7 uncompressed).
//
// Differences from trace-cmd 3.1.6, on purpose (no fixture shows them; all are on malformed or unusual
// files, where trace-cmd misreads):
// - A compressed v7 OPTIONS section: trace-cmd reads a BUFFER option's data-section header from the
//   decompressed options instead of the file (it seeks the file but reads the block). ftk reads the header.
// - An option whose payload is longer than the fields trace-cmd reads (a v6 BUFFER option with a clock):
//   trace-cmd reads the next option from the middle of this one. ftk goes on after the option's size.
// - A TimeShift option under 12 bytes: trace-cmd passes an int to %s (it crashes). ftk prints the size.
// - `-a`: trace-cmd's getopt string has it but nothing handles it (usage error); ftk refuses it too.
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

const PARTS = ["summary", "head-page", "head-event", "ftrace-events", "systems", "events", "kallsyms", "printk", "cmd-lines", "options", "flyrecord", "clock", "sections", "strings"];

async function assertSameDump(path: string, view?: string | string[]): Promise<void> {
  const flags = view === undefined ? [] : Array.isArray(view) ? view : [`--${view}`];
  const args = [...flags, path];
  const theirs = spawnSync("trace-cmd", ["dump", ...args], { encoding: "latin1", maxBuffer: 1 << 28 });
  const ours = await runFtk(["dump", ...args]);
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(ours.stderr, "");
  const diff = firstDifference(theirs.stdout, ours.stdout);
  assert.equal(diff, undefined, `${flags.join(" ") || "summary"} of ${path}: ${diff}`);
}

suite("ftk dump", { skip: skipShared || (hasTraceCmd ? false : "trace-cmd not installed (the oracle)") }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-dump-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("dump matches trace-cmd dump on every fixture", async () => {
    for (const name of files) await assertSameDump(join(fixtures, name));
  });

  test("every part of dump matches trace-cmd on every fixture", async () => {
    for (const name of files) {
      for (const view of PARTS) await assertSameDump(join(fixtures, name), view);
    }
  });

  test("dump --all, parts together (file order), -v alone and -v with a part match trace-cmd on every fixture", async () => {
    for (const name of files) {
      for (const flags of [["--all"], ["--cmd-lines", "--head-page"], ["--options", "--flyrecord", "--sections"], ["-v"], ["-v", "--clock"], ["--verbose", "--summary"]]) {
        await assertSameDump(join(fixtures, name), flags);
      }
    }
  });

  test("dump usage errors exit 2 with one line: -a, an unknown part, a bad --verbose level, two files", async () => {
    for (const args of [["-a"], ["--cpus"], ["--verbose=loud"], ["-i", "a.dat", "b.dat"]]) {
      const r = await runFtk(["dump", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    }
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
      await assertSameDump(out, ["--all"]);
    }
  });

  test("dump of a file that is not a trace.dat: one line, exit 1", async () => {
    const r = await runFtk(["dump", join(fixtures, "MANIFEST.tsv")]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split("\n").filter((l) => l !== "").length, 1);
  });
});
