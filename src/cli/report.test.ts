import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { UsageError } from "../index.js";
import { ftkBin, sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { main } from "./main.js";
import { parseReportArgs } from "./report.js";
import { runFtk } from "./report-test-helpers.js";

test("parseReportArgs attaches -F and --ts-offset to the -i before them, and earlier -F to the first", () => {
  const o = parseReportArgs(["-F", "sched", "-i", "a.dat", "-v", "-F", "irq", "-i", "b.dat", "--ts-offset", "5", "-F", "x"]);
  assert.ok(o !== "help");
  assert.deepEqual(o.inputs, [
    { path: "a.dat", filters: [{ text: "sched", invert: false }, { text: "irq", invert: true }] },
    { path: "b.dat", tsOffset: 5, filters: [{ text: "x", invert: true }] },
  ]);
});

test("parseReportArgs reads grouped short flags, --cpu lists and a positional file", () => {
  const o = parseReportArgs(["-tl", "--cpu", "0,2-3", "--cpu=5", "-O", "fgraph:depth", "t.dat"]);
  assert.ok(o !== "help");
  assert.equal(o.nsTimestamps, true);
  assert.equal(o.latency, true);
  assert.deepEqual(o.cpus, [0, 2, 3, 5]);
  assert.deepEqual(o.pluginOptions, ["fgraph:depth"]);
  assert.deepEqual(o.inputs, [{ path: "t.dat" }]);
});

test("parseReportArgs defaults to trace.dat and rejects bad flags with UsageError", () => {
  const o = parseReportArgs([]);
  assert.ok(o !== "help");
  assert.deepEqual(o.inputs, [{ path: "trace.dat" }]);
  assert.throws(() => parseReportArgs(["--no-such-flag"]), UsageError);
  assert.throws(() => parseReportArgs(["-v", "-v"]), /only one -v/);
  assert.throws(() => parseReportArgs(["--ts-offset", "3"]), /after the -i/);
  assert.throws(() => parseReportArgs(["-i", "a", "--ts-offset", "x"]), /integer/);
  assert.equal(parseReportArgs(["--help"]), "help");
});

test("ftk report on a missing file prints one line and exits 1", async () => {
  const r = await runFtk(["report", "-i", "/nonexistent/trace.dat"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^ftk report: .*\/nonexistent\/trace\.dat.*\n$/);
});

test("ftk report --help prints the usage on stdout", async () => {
  const r = await runFtk(["report", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: ftk report/);
});

test("ftk report | head stops quietly when the reader closes the pipe", { skip: skipWithoutShared() }, async () => {
  const file = join(sharedDir()!, "fixtures", "tracedat", "v6-i686-1cpu-function.dat");
  const child = spawn(process.execPath, [ftkBin(), "report", "-i", file], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // Read the first chunk, then close our end, as `head -1` does.
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.equal(stderr, "");
  assert.equal(code, 0);
});

test("ftk report writes the same bytes to a pipe and to a file (write(2) on stdout) as to a socket", { skip: skipWithoutShared() }, async () => {
  const file = join(sharedDir()!, "fixtures", "tracedat", "v6-i686-k5.15-sched-switch.dat");
  const expected = (await runFtk(["report", "-i", file])).stdout;
  assert.ok(expected.length > 1000);
  const dir = mkdtempSync(join(tmpdir(), "ftk-report-"));
  try {
    const out = join(dir, "out");
    const sh = (script: string): string => execFileSync("sh", ["-c", script, process.execPath, ftkBin(), file, out], { encoding: "latin1" });
    assert.equal(sh('"$0" "$1" report -i "$2" | cat'), expected);
    sh('"$0" "$1" report -i "$2" > "$3"');
    assert.equal(readFileSync(out, "latin1"), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("report -l colours its flags with --color=always, or on a terminal without NO_COLOR; plain otherwise", { skip: skipWithoutShared() }, async () => {
  const file = join(sharedDir()!, "fixtures", "tracedat", "v6-armv7-1cpu-irq-softirq-gpio.dat");
  const run = async (args: string[], env: Record<string, string>, isTTY: boolean): Promise<string> => {
    const chunks: Buffer[] = [];
    const stdout = Object.assign(new Writable({ write(c: Buffer, _e, done) { chunks.push(Buffer.from(c)); done(); } }), { isTTY });
    assert.equal(await main(["report", "-l", "-i", file, ...args], { stdout, stderr: new Writable({ write(_c, _e, d) { d(); } }), env }), 0);
    return Buffer.concat(chunks).toString("latin1");
  };
  const plain = await run([], {}, false);
  assert.doesNotMatch(plain, /\x1b/);
  const colored = await run(["--color=always"], { NO_COLOR: "1" }, false);
  assert.match(colored, /\x1b\[31md\x1b\[0m/);
  // Same text once the escapes are removed: the columns do not move.
  assert.equal(colored.replace(/\x1b\[\d+m/g, ""), plain);
  assert.equal(await run([], {}, true), colored);
  assert.equal(await run([], { NO_COLOR: "1" }, true), plain);
  assert.equal(await run(["--color", "never"], {}, true), plain);
  assert.equal((await runFtk(["report", "--color=sometimes", "-i", file])).code, 2);
});

test("parseReportArgs: --ts2secs after an -i is that file's, before any -i the default; -V levels are checked", () => {
  const o = parseReportArgs(["--ts2secs", "1000", "-i", "a.dat", "-i", "b.dat", "--ts2secs", "250", "-V", "-V3", "--verbose=info", "-r", "sched_.*", "-n", "irq", "-L"]);
  assert.ok(o !== "help");
  assert.equal(o.ts2secsHz, 1000);
  assert.deepEqual(o.inputs, [{ path: "a.dat" }, { path: "b.dat", ts2secsHz: 250 }]);
  assert.deepEqual(o.rawEvents, ["sched_.*"]);
  assert.deepEqual(o.noHandlerEvents, ["irq"]);
  assert.equal(o.noPlugins, true);
  assert.throws(() => parseReportArgs(["-V9"]), (e: unknown) => e instanceof UsageError && /invalid verbose level '9'/.test(e.message));
  assert.throws(() => parseReportArgs(["--ts2secs", "0"]), UsageError);
});

test("ftk report takes --profile, --by-comm, -G, -H and -T (a missing file is then a runtime error, exit 1)", async () => {
  for (const flags of [["--profile"], ["--profile", "--by-comm"], ["--profile", "-G"], ["--profile", "-H", "a,b/c,d"], ["-T", "-F", "x"]]) {
    const r = await runFtk(["report", ...flags, "-i", "x.dat"]);
    assert.equal(r.code, 1, `${flags.join(" ")}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /not supported/);
  }
  const bad = await runFtk(["report", "--profile", "-H", "sched_switch", "-i", "x.dat"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^ftk report: bad hook 'sched_switch' for -H: /);
});

test("ftk report -w with two inputs is a usage error, as in trace-cmd", { skip: skipWithoutShared() }, async () => {
  const f = join(sharedDir() ?? "", "fixtures", "tracedat", "v6-i686-4cpu-sched-wakeup.dat");
  const r = await runFtk(["report", "-w", "-i", f, "-i", f]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /wakeup latency \(-w\) works on one input file only/);
});
