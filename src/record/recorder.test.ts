// System tests of the recorder on the live kernel (root): round trips read by `trace-cmd report` (the
// oracle), pid filtering, and the tracefs state before == after on every exit path.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, suite, test } from "node:test";
import { ftkBin } from "../test-support/paths.js";
import { assertTracefsUnchanged, openLiveTracefs } from "../tracefs/testing.js";
import { snapshotTracefsState } from "../tracefs/index.js";
import type { Tracefs, TracefsSnapshot } from "../tracefs/index.js";
import { parseRecordArgs } from "./options.js";
import { record } from "./recorder.js";
import type { RecordResult } from "./recorder.js";

const live = await openLiveTracefs();
const hasTraceCmd = spawnSync("trace-cmd", ["--help"]).error === undefined;
const hasGcc = spawnSync("gcc", ["--version"]).error === undefined;
const skip = live.skip || (hasTraceCmd ? false : "trace-cmd not installed (the oracle)");

/** A Writable that keeps what it was given. */
class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString("latin1");
    cb();
  }
}

/** `trace-cmd report` of a file: asserts no stderr and returns the lines. */
function traceCmdReport(path: string, extra: string[] = []): string[] {
  const r = spawnSync("trace-cmd", ["report", ...extra, path], { encoding: "latin1", maxBuffer: 1 << 28 });
  assert.equal(r.stderr, "", `trace-cmd report warned on ${path}`);
  assert.equal(r.status, 0);
  return r.stdout.split("\n").filter((l) => l !== "");
}

/** Asserts `ftk report FILE` prints exactly what `trace-cmd report FILE` prints. */
function assertSameReport(path: string): void {
  const ours = spawnSync(process.execPath, [ftkBin(), "report", path], { encoding: "latin1", maxBuffer: 1 << 28 });
  const theirs = spawnSync("trace-cmd", ["report", path], { encoding: "latin1", maxBuffer: 1 << 28 });
  assert.equal(ours.stderr, "", "ftk report wrote to stderr");
  if (ours.stdout === theirs.stdout) return;
  const a = ours.stdout.split("\n");
  const b = theirs.stdout.split("\n");
  const first = a.findIndex((l, i) => l !== b[i]);
  assert.fail(`ftk report differs from trace-cmd report at line ${first + 1}:\n ftk:       ${a[first]}\n trace-cmd: ${b[first]}`);
}

/** Pid of the task column ("comm-PID") of a report line, or undefined. */
function linePid(line: string): number | undefined {
  const m = /^\s*(?:\S+: )?\s*.*?-(\d+)\s+\[\d+\]/.exec(line);
  return m ? Number(m[1]) : undefined;
}

suite("ftk record on the live kernel", { skip }, () => {
  const fs = live.fs as Tracefs;
  let dir: string;
  let suiteBefore: TracefsSnapshot;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ftk-record-test-"));
    suiteBefore = await snapshotTracefsState(fs);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await assertTracefsUnchanged(fs, suiteBefore);
  });

  /** Records in-process; checks the state is unchanged afterwards. */
  async function run(args: string[], signal = new AbortController().signal): Promise<{ res: RecordResult; out: string }> {
    const snap = await snapshotTracefsState(fs);
    const stdout = new Sink();
    const stderr = new Sink();
    try {
      const res = await record(parseRecordArgs(args), { stdout, stderr, signal, tracefs: fs, commandStdio: "ignore" });
      return { res, out: stdout.text };
    } finally {
      await assertTracefsUnchanged(fs, snap);
    }
  }

  const ROUND_TRIPS: [string, string[]][] = [
    ["v7 zstd", []],
    ["--file-version 6", ["--file-version", "6"]],
    ["-B instance", ["-B", `ftk-rec-${process.pid}`]],
    ["-T", ["-T"]],
    ["-C mono", ["-C", "mono"]],
  ];
  /**
   * The lines of the command's process and its openat counts. By pid: its task name comes from
   * saved_cmdlines, which the kernel updates only at some context switches, so it may still be
   * "sh", the launcher's name before exec.
   */
  function commandOpenats(lines: readonly string[], pid: number | undefined): { own: string[]; enters: number; exits: number } {
    const own = lines.filter((l) => linePid(l) === pid);
    const enters = own.filter((l) => l.includes("sys_enter_openat:")).length;
    const exits = own.filter((l) => l.includes("sys_exit_openat:")).length;
    return { own, enters, exits };
  }

  /** What to look at when ls seems to have opened too little: the recorder's counts and both readers. */
  function describeRecording(res: RecordResult, out: string, lines: readonly string[]): string {
    const cpus = res.buffers.flatMap((b) => b.cpus.map((c) => `${b.name || "top"}/cpu${c.cpu} entries ${c.entries} overrun ${c.overrun} read ${c.readEvents}`));
    const ours = spawnSync(process.execPath, [ftkBin(), "report", out], { encoding: "latin1", maxBuffer: 1 << 28 }).stdout.split("\n");
    const comms = new Set(lines.filter((l) => l.includes("sys_enter_openat:")).map((l) => l.trim().split(/\s+/)[0]));
    return `${cpus.join("; ")}; trace-cmd ${lines.length} lines, ftk ${ours.length - 1}; openat callers ${[...comms].join(" ")}`;
  }

  for (const [name, extra] of ROUND_TRIPS) {
    test(`record() ${name}: trace-cmd reads the file, ls has paired openat enter/exit`, async (t) => {
      const out = join(dir, `rt-${name.replace(/\W+/g, "_")}.dat`);
      const instanceFirst = extra[0] === "-B";
      const events = ["-e", "sched", "-e", "syscalls:sys_enter_openat", "-e", "syscalls:sys_exit_openat"];
      const args = instanceFirst ? [...extra, ...events] : [...events, ...extra];
      // Once in a CI rehearsal, matched by task name then, ls showed fewer than 4 openats (cause not
      // found; perhaps the name). Should it happen again, the recording is described in the test log
      // and made once more; twice in a row fails.
      let res: RecordResult | undefined;
      let lines: string[] = [];
      let cmd: ReturnType<typeof commandOpenats> | undefined;
      for (let attempt = 1; attempt <= 2; attempt++) {
        res = (await run(["-q", "-o", out, ...args, "ls", "/"])).res;
        assert.equal(res.status, 0);
        assert.ok(res.commandPid !== undefined);
        lines = traceCmdReport(out);
        assert.match(lines[0]!, /^cpus=\d+$/);
        cmd = commandOpenats(lines, res.commandPid);
        if (cmd.enters > 3) break;
        t.diagnostic(`attempt ${attempt}: ls (pid ${res.commandPid}) has ${cmd.enters} openat enters; ${describeRecording(res, out, lines)}`);
      }
      assert.ok(cmd!.enters > 3, "ls opened files");
      assert.equal(cmd!.exits, cmd!.enters, "each sys_enter_openat of ls has its sys_exit_openat");
      if (instanceFirst) assert.ok(cmd!.own.every((l) => l.startsWith(`ftk-rec-${process.pid}:`)));
      if (extra[0] === "-T") assert.ok(lines.some((l) => l.includes("kernel_stack:")), "-T adds kernel stacks");
      if (extra[0] === "-C") {
        const opts = spawnSync("trace-cmd", ["dump", "--options", out], { encoding: "latin1" }).stdout;
        assert.match(opts, /\[mono\]/);
      }
      if (extra[0] === "--file-version") assert.equal(res!.file?.buffers[0]?.cpus.some((c) => c.size === c.rawSize), true);
      assertSameReport(out);
    });
  }

  test("record() -F keeps only the command's events", async () => {
    const out = join(dir, "f.dat");
    const { res } = await run(["-q", "-o", out, "-F", "-e", "syscalls:sys_enter_openat", "-e", "syscalls:sys_exit_openat", "ls", "/"]);
    assert.equal(res.status, 0);
    const lines = traceCmdReport(out).slice(1);
    const pids = new Set(lines.map(linePid));
    assert.ok(lines.length > 6);
    assert.equal(pids.size, 1, `only ls: ${[...pids].join(",")}`);
  });

  test("record() -F -c also follows the children of the command", async () => {
    const script = join(dir, "kids.sh");
    writeFileSync(script, "#!/bin/sh\n/bin/true\n/bin/cat /etc/hostname > /dev/null\n/bin/true\n");
    chmodSync(script, 0o755);
    const out = join(dir, "fc.dat");
    const args = ["-q", "-o", out, "-F", "-c", "-e", "sched:sched_process_fork", "-e", "sched:sched_process_exec", "-e", "syscalls:sys_enter_openat"];
    const { res } = await run([...args, script]);
    assert.equal(res.status, 0);
    const lines = traceCmdReport(out).slice(1);
    const forks = lines.filter((l) => l.includes("sched_process_fork:"));
    const children = forks.map((l) => Number(/child_pid=(\d+)/.exec(l)![1]));
    assert.equal(children.length, 3, "three children forked");
    const parent = linePid(forks[0]!)!;
    const allowed = new Set([parent, ...children]);
    for (const l of lines) assert.ok(allowed.has(linePid(l)!), `unexpected task in: ${l}`);
    for (const c of children) assert.ok(lines.some((l) => linePid(l) === c && l.includes("sched_process_exec:")), `child ${c} traced`);
    // Without -c the children are not traced.
    const out2 = join(dir, "f-noc.dat");
    await run(["-q", "-o", out2, "-F", ...args.slice(5), script]);
    const lines2 = traceCmdReport(out2).slice(1);
    assert.deepEqual([...new Set(lines2.map(linePid))].length, 1);
  });

  test("record() -P keeps only the given running process", async () => {
    const loop = spawn("sh", ["-c", "while :; do read x < /etc/hostname; sleep 0.02; done"], { stdio: "ignore" });
    try {
      const out = join(dir, "p.dat");
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 2500);
      const { res } = await run(["-q", "-o", out, "-P", String(loop.pid), "-e", "syscalls:sys_enter_openat"], ac.signal);
      assert.equal(res.status, 0);
      const lines = traceCmdReport(out).slice(1);
      assert.ok(lines.length > 3, "the loop opened files");
      assert.deepEqual([...new Set(lines.map(linePid))], [loop.pid]);
    } finally {
      loop.kill("SIGKILL");
    }
  });

  test("record() returns the status of a failing command and restores tracefs", async () => {
    const { res } = await run(["-q", "-o", join(dir, "fail.dat"), "-e", "sched", "sh", "-c", "exit 3"]);
    assert.equal(res.status, 3);
    const killed = await run(["-q", "-o", join(dir, "kill.dat"), "-e", "sched", "sh", "-c", "kill -9 $$"]);
    assert.equal(killed.res.status, 128 + 9);
  });

  test("record() -R triggers are removed and the events they enabled put back", async () => {
    const out = join(dir, "trig.dat");
    const { res } = await run(["-q", "-o", out, "-F", "-e", "syscalls:sys_enter_openat", "-R", "enable_event:syscalls:sys_exit_openat", "ls", "/"]);
    assert.equal(res.status, 0);
    const lines = traceCmdReport(out);
    assert.ok(lines.some((l) => l.includes("sys_exit_openat:")), "the trigger enabled sys_exit_openat (its format is stored)");
    const off = await run(["-q", "-o", join(dir, "trig2.dat"), "-F", "-e", "syscalls:sys_enter_openat", "-R", "traceoff", "ls", "/"]);
    assert.equal(off.res.status, 0);
  });

  const BAD: [string, string[], RegExp][] = [
    ["an invalid event name", ["-e", "nosuch_system:nosuch_event", "ls"], /event 'nosuch_system:nosuch_event' does not exist/],
    ["a bad filter field", ["-e", "sched:sched_switch", "-f", "no_such_field == 1", "ls"], /no field 'no_such_field'/],
    ["a filter the kernel rejects", ["-e", "sched:sched_switch", "-f", "prev_pid == == 1", "ls"], /bad filter/],
    ["an unwritable -o", ["-o", "/nonexistent-dir/x.dat", "-e", "sched", "ls"], /cannot write '\/nonexistent-dir\/x\.dat'/],
    ["function_graph (not on this kernel)", ["-p", "function_graph", "-g", "do_sys_openat2", "ls"], /tracer 'function_graph' is not available/],
    ["a missing command", ["-e", "sched", "no-such-command-ftk"], /cannot run 'no-such-command-ftk': command not found/],
  ];
  for (const [name, args, message] of BAD) {
    test(`record() refuses ${name} and changes nothing`, async () => {
      const withOutput = args.includes("-o") ? args : ["-o", join(dir, "bad.dat"), ...args];
      await assert.rejects(run(["-q", ...withOutput]), message);
      assert.equal(existsSync(join(dir, "bad.dat")), false);
    });
  }

  test("record() --uprobe and -p ufuncgraph create probes for the recording only", { skip: hasGcc ? false : "gcc not installed" }, async () => {
    const src = join(dir, "leaf.c");
    const bin = join(dir, "leaf");
    writeFileSync(src, "__attribute__((noinline)) int leaf(int x) { return x * 2; }\nint main(void) { int s = 0; for (int i = 0; i < 3; i++) s += leaf(i); return s == 6 ? 0 : 1; }\n");
    assert.equal(spawnSync("gcc", ["-O1", "-o", bin, src]).status, 0);
    const out = join(dir, "uprobe.dat");
    const { res } = await run(["-q", "-o", out, "--uprobe", `${bin}:leaf x=%di:s32`, "-F", bin]);
    assert.equal(res.status, 0);
    const lines = traceCmdReport(out).filter((l) => l.includes(" leaf: "));
    assert.deepEqual(lines.map((l) => /x=(-?\d+)/.exec(l)![1]), ["0", "1", "2"]);
    const graph = join(dir, "ufuncgraph.dat");
    const g = await run(["-q", "-o", graph, "-p", "ufuncgraph", "-x", bin, "-g", "leaf", "-F", bin]);
    assert.equal(g.res.status, 0);
    const glines = traceCmdReport(graph);
    assert.equal(glines.filter((l) => / leaf: /.test(l)).length, 3);
    assert.equal(glines.filter((l) => / leaf__return: /.test(l)).length, 3);
  });

  test("record() -m keeps about that many KiB per CPU, the newest pages", async () => {
    const out = join(dir, "m.dat");
    const { res } = await run(["-q", "-o", out, "-m", "16", "-e", "raw_syscalls", "-F", "dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=20000"]);
    assert.equal(res.status, 0);
    for (const c of res.file!.buffers[0]!.cpus) assert.ok(c.rawSize <= 16 * 1024, `cpu ${c.cpu}: ${c.rawSize} bytes`);
    const lines = traceCmdReport(out);
    assert.ok(lines.length > 100);
    assert.ok(lines.some((l) => /sys_enter: +NR 231 /.test(l)), "the end of dd (exit_group) is kept");
  });

  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    test(`bin/ftk record stops on ${sig}, writes a complete file and restores tracefs`, async () => {
      const snap = await snapshotTracefsState(fs);
      const out = join(dir, `${sig}.dat`);
      const child = spawn(process.execPath, [ftkBin(), "record", "-q", "-o", out, "-e", "sched"], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      await new Promise((r) => setTimeout(r, 1500));
      child.kill(sig);
      const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      assert.equal(stderr, "");
      assert.equal(code, 0);
      assert.ok(traceCmdReport(out).length > 1, "events were recorded");
      await assertTracefsUnchanged(fs, snap);
    });
  }

  test("bin/ftk record with a command: SIGINT mid-run ends the command and restores tracefs", async () => {
    const snap = await snapshotTracefsState(fs);
    const out = join(dir, "cmd-int.dat");
    const child = spawn(process.execPath, [ftkBin(), "record", "-q", "-o", out, "-e", "sched", "sleep", "30"], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    assert.equal(code, 128 + 2, "sleep died of SIGINT");
    traceCmdReport(out);
    await assertTracefsUnchanged(fs, snap);
  });

});

suite("ftk start and ftk extract on the live kernel", { skip }, () => {
  test("bin/ftk start leaves tracing set up; bin/ftk extract writes the buffers and restores what it changed", async () => {
    const fs = live.fs as Tracefs;
    const initial = await snapshotTracefsState(fs);
    const name = `ftk-start-${process.pid}`;
    const dir = mkdtempSync(join(tmpdir(), "ftk-start-test-"));
    try {
      const started = spawnSync(process.execPath, [ftkBin(), "start", "-B", name, "-e", "sched:sched_switch"], { encoding: "latin1" });
      assert.equal(started.stderr, "");
      assert.equal(started.status, 0);
      const inst = fs.instance(name);
      assert.equal(await inst.tracingOn(), true);
      assert.deepEqual(await inst.enabledEvents(), [{ system: "sched", event: "sched_switch" }]);
      spawnSync("sleep", ["0.3"]);
      const afterStart = await snapshotTracefsState(fs);
      const out = join(dir, "x.dat");
      const ex = spawnSync(process.execPath, [ftkBin(), "extract", "-q", "-B", name, "-o", out], { encoding: "latin1" });
      assert.equal(ex.stderr, "");
      assert.equal(ex.status, 0);
      await assertTracefsUnchanged(fs, afterStart);
      const lines = traceCmdReport(out);
      assert.ok(lines.length > 1);
      assert.ok(lines.slice(1).every((l) => l.startsWith(`${name}:`) && l.includes("sched_switch:")));
    } finally {
      if (fs.hasInstance(name)) {
        await fs.instance(name).disableAllEvents();
        await fs.removeInstance(name);
      }
      rmSync(dir, { recursive: true, force: true });
      await assertTracefsUnchanged(fs, initial);
    }
  });
});
