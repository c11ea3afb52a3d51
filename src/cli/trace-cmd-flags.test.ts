// Flags of trace-cmd 3.1.6 subcommands that ftk used to refuse (issue 12, "every subcommand's flags"):
// --verbose[=LEVEL] on record, start, stream, set, extract, stack, check-events and dump; extract -t;
// list -O (the plugin options, as 'ftk options') and list -P; report --event on version 7 files. None of
// these tests touches tracefs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { basicRegExp, parseRecordArgs } from "../index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";

test("--verbose and --verbose=LEVEL are accepted by record, start, stream, set and extract; a bad level is a usage error", () => {
  for (const mode of ["record", "start", "stream", "set", "extract"] as const) {
    const cmd = mode === "record" || mode === "stream" ? ["true"] : [];
    for (const v of ["--verbose", "--verbose=debug", "--verbose=3"]) {
      const o = parseRecordArgs([v, "-e", "sched:sched_switch", ...cmd], mode);
      assert.equal(o.instances[0]!.events[0]!.spec, "sched:sched_switch", `${mode} ${v}`);
    }
    assert.throws(() => parseRecordArgs(["--verbose=loud", "-e", "sched:sched_switch", ...cmd], mode), /invalid verbose level 'loud'/);
  }
});

test("extract -t asks for the top level as well as the -B instances; record refuses -t", () => {
  assert.equal(parseRecordArgs(["-t", "-B", "a"], "extract").extractTop, true);
  assert.equal(parseRecordArgs(["-B", "a"], "extract").extractTop, undefined);
  assert.throws(() => parseRecordArgs(["-t", "true"], "record"), /option '-t' is not supported by ftk record/);
});

test("stack, check-events and dump take --verbose[=LEVEL]; a bad level exits 2 before anything is read", async () => {
  for (const cmd of ["stack", "check-events", "dump"]) {
    const ok = await runFtk([cmd, "--verbose=info", "--help"]);
    assert.equal(ok.code, 0, `${cmd}: ${ok.stderr}`);
    const bare = await runFtk([cmd, "--verbose", "--help"]);
    assert.equal(bare.code, 0, `${cmd}: ${bare.stderr}`);
    const bad = await runFtk([cmd, "--verbose=9"]);
    assert.equal(bad.code, 2, `${cmd}: ${bad.stderr}`);
    assert.match(bad.stderr, /invalid verbose level '9'/);
  }
});

test("list -O prints the plugin options exactly as 'ftk options'; list -P lists no plugin files", async () => {
  const options = await runFtk(["options"]);
  const listO = await runFtk(["list", "-O"]);
  assert.equal(listO.code, 0, listO.stderr);
  assert.ok(options.stdout.includes("plugin:\tfgraph"));
  assert.equal(listO.stdout, options.stdout);
  const listP = await runFtk(["list", "-P"]);
  assert.equal(listP.code, 0, listP.stderr);
  assert.equal(listP.stdout, "");
});

test("basicRegExp reads POSIX basic regular expressions: ( ) | + ? are literal, \\( \\| \\+ are operators", () => {
  assert.ok(basicRegExp("sched_\\(sw\\|wa\\)").test("SCHED_WAKEUP"));
  assert.ok(basicRegExp("a+b").test("xa+b"));
  assert.ok(!basicRegExp("a+b").test("aab"));
  assert.ok(basicRegExp("a\\+b").test("aab"));
  assert.ok(basicRegExp("[(]x").test("(x"));
});

const skipShared = skipWithoutShared();
const hasTraceCmd = spawnSync("trace-cmd", ["--help"]).error === undefined;
test("report --event on a v7 file prints what trace-cmd prints for the same file converted to v6", { skip: skipShared || (hasTraceCmd ? false : "trace-cmd not installed") }, async () => {
  const fixtures = join(sharedDir()!, "fixtures", "tracedat");
  const dir = mkdtempSync(join(tmpdir(), "ftk-event-"));
  try {
    for (const name of readdirSync(fixtures).filter((f) => /v7.*\.dat$/.test(f))) {
      const v6 = join(dir, name.replace(/\.dat$/, ".v6.dat"));
      assert.equal((await runFtk(["convert", "-i", join(fixtures, name), "-o", v6, "--file-version", "6", "--compression", "none"])).code, 0);
      for (const re of ["sched", "sched:sched_sw", "irq\\|timer", ".*"]) {
        const theirs = spawnSync("trace-cmd", ["report", "--event", re, "-i", v6], { encoding: "latin1", maxBuffer: 1 << 28 }).stdout;
        const ours = await runFtk(["report", "--event", re, "-i", join(fixtures, name)]);
        assert.equal(ours.code, 0, ours.stderr);
        assert.equal(firstDifference(theirs, ours.stdout), undefined, `${name} --event ${re}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// report --kallsyms FILE: more symbols. On v6 files byte-identical with trace-cmd (the extra names win
// where both tables have an address; new addresses are added). On v7 files trace-cmd 3.1.6 adds them to a
// table it has already built (and reads past its end), so ftk is checked against trace-cmd on the file
// converted to v6 instead.
test("report --kallsyms FILE (renamed and new symbols) matches trace-cmd, -f and the events", { skip: skipShared || (hasTraceCmd ? false : "trace-cmd not installed") }, async () => {
  const fixtures = join(sharedDir()!, "fixtures", "tracedat");
  const dir = mkdtempSync(join(tmpdir(), "ftk-kallsyms-"));
  try {
    for (const name of ["v6-i686-1cpu-function.dat", "lab-v6-x86_64-2cpu-funcgraph.dat", "lab-v7-zstd-x86_64-2cpu-funcgraph-proc.dat"]) {
      const input = join(fixtures, name);
      let oracleInput = input;
      if (name.includes("v7")) {
        oracleInput = join(dir, "v6.dat");
        assert.equal((await runFtk(["convert", "-i", input, "-o", oracleInput, "--file-version", "6", "--compression", "none"])).code, 0);
      }
      // The symbol lines of the file's kallsyms (dump puts one or two header lines first).
      const own = (await runFtk(["dump", "--kallsyms", input])).stdout.split("\n").filter((l) => /^[0-9a-f]+ /.test(l)).join("\n") + "\n";
      const renamed = join(dir, "renamed.txt");
      writeFileSync(renamed, own.replace(/^([0-9a-f]+ [tTwW] )/gm, "$1K_"));
      const added = join(dir, "added.txt");
      writeFileSync(added, "c4600010 T ftk_new_a\n00000000c4600020 t ftk_new_b\n");
      for (const file of [renamed, added]) {
        for (const flags of [[], ["-f"]]) {
          const args = [...flags, "--kallsyms", file];
          const theirs = spawnSync("trace-cmd", ["report", ...args, "-i", oracleInput], { encoding: "latin1", maxBuffer: 1 << 28 }).stdout;
          const ours = await runFtk(["report", ...args, "-i", input]);
          assert.equal(ours.code, 0, ours.stderr);
          assert.equal(firstDifference(theirs, ours.stdout), undefined, `${name} ${args.join(" ")}`);
        }
      }
    }
    const missing = await runFtk(["report", "--kallsyms", join(dir, "nope"), "-i", join(fixtures, "v6-i686-1cpu-function.dat")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^ftk report: cannot read kallsyms file '.*nope': /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--module MOD: the -l/-n/-g after it are that module's functions; alone, all of them (as trace-cmd writes them)", () => {
  const o = parseRecordArgs(["-p", "function", "-l", "vfs_read", "--module", "ext4", "-l", "ext4_*", "-n", "ext4_sync*", "true"], "record");
  assert.deepEqual(o.ftraceFilter, ["vfs_read", "ext4_*:mod:ext4"]);
  assert.deepEqual(o.ftraceNotrace, ["ext4_sync*:mod:ext4"]);
  assert.deepEqual(parseRecordArgs(["-p", "function", "--module", "xfs", "true"], "record").ftraceFilter, ["*:mod:xfs"]);
  assert.deepEqual(parseRecordArgs(["-p", "function_graph", "--module", "a", "--module", "b", "-g", "f", "true"], "record"), {
    ...parseRecordArgs(["-p", "function_graph", "--module", "a", "--module", "b", "-g", "f", "true"], "record"),
    ftraceFilter: ["*:mod:a"],
    graphFunctions: ["f:mod:b"],
  });
  assert.throws(() => parseRecordArgs(["-B", "i", "--module", "m", "true"], "record"), /top level only/);
  assert.throws(() => parseRecordArgs(["-p", "ufuncgraph", "-x", "/bin/true", "--module", "m", "true"], "record"), /does not apply to -p ufuncgraph/);
});
