// System tests of `ftk trace` on the live kernel (root) against strace 6.1 (the oracle): the same calls
// and return values call by call, the same decoded flags/errno/paths, the same -c counts, -a, and the
// tracefs state (uprobes included) restored on every exit path. Run under flock /tmp/ftk-tracefs.lock.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, suite, test } from "node:test";
import { ftkBin } from "../test-support/paths.js";
import { assertTracefsUnchanged, openLiveTracefs } from "../tracefs/testing.js";
import { snapshotTracefsState } from "../tracefs/index.js";
import type { Tracefs } from "../tracefs/index.js";

const live = await openLiveTracefs();
const has = (cmd: string): boolean => spawnSync(cmd, ["--version"]).error === undefined;
const skip = live.skip || (!has("strace") ? "strace not installed (the oracle)" : !has("gcc") ? "gcc not installed" : false);

// The known program: each step is a call strace and ftk must both show (see issue 10, "How we will know" 1).
const PROGRAM = `
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char buf[64];
  if (argc > 1) read(0, buf, 1); /* -a test: wait until told */
  int fd = open("/etc/hostname", O_RDONLY);
  int bad = open("/nonexistent/ftk-trace-test", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf);
  write(1, "parent\\n", 7);
  close(fd);
  void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int w = open("/tmp/ftk-trace-test-out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  unlink("/tmp/ftk-trace-test-out");
  close(w);
  pid_t c = fork();
  if (c == 0) { write(1, "child\\n", 6); _exit(0); }
  waitpid(c, NULL, 0);
  struct timespec ts = {0, 1000000};
  nanosleep(&ts, NULL);
  return (n > 0 && bad < 0 && p != MAP_FAILED) ? 0 : 3;
}
`;

/** One call as either tool printed it. */
interface Call {
  pid: number;
  name: string;
  args: string;
  ret: string;
}

/** Calls whose return value or arguments are pids, which differ between two runs. */
const PID_CALLS = new Set(["clone", "clone3", "fork", "vfork", "wait4", "set_tid_address", "getpid", "gettid", "getppid", "kill", "tgkill"]);

/** Parses strace -f -o lines (`PID rest`) or ftk lines (`comm/TID rest`) into calls, joining unfinished/resumed pairs. */
function parseCalls(text: string, kind: "strace" | "ftk"): Call[] {
  const out: Call[] = [];
  const open = new Map<number, { name: string; args: string }>();
  for (const line of text.split("\n")) {
    const m = kind === "strace" ? /^(\d+) +(.*)$/.exec(line) : /^\S+\/(\d+) (.*)$/.exec(line);
    if (m === null) continue;
    const pid = Number(m[1]);
    const rest = m[2]!;
    if (rest.startsWith("+++") || rest.startsWith("---")) continue;
    const unfinished = /^(\w+)\((.*) <unfinished \.\.\.>$/.exec(rest);
    if (unfinished !== null) {
      open.set(pid, { name: unfinished[1]!, args: unfinished[2]! });
      continue;
    }
    const resumed = /^<\.\.\. (\w+) resumed>(.*)\)\s+= (.*?)(?: <[\d.]+>)?$/.exec(rest);
    if (resumed !== null) {
      const head = open.get(pid);
      open.delete(pid);
      out.push({ pid, name: resumed[1]!, args: (head?.args ?? "") + resumed[2]!, ret: resumed[3]! });
      continue;
    }
    const whole = /^(\w+)\((.*)\)\s+= (.*?)(?: <[\d.]+>)?$/.exec(rest);
    if (whole !== null) out.push({ pid, name: whole[1]!, args: whole[2]!, ret: whole[3]! });
  }
  return out.filter((c) => c.name !== "restart_syscall");
}

/** The calls of each process in order of first appearance, from the command's successful execve on. */
function byProcess(calls: Call[], program: string): Call[][] {
  const start = calls.findIndex((c) => c.name === "execve" && c.args.startsWith(`"${program}"`) && c.ret === "0");
  const first = start >= 0 ? calls[start]!.pid : undefined;
  const seq = new Map<number, Call[]>();
  calls.forEach((c, i) => {
    if (c.pid === first && i < start) return;
    if (!seq.has(c.pid)) seq.set(c.pid, []);
    seq.get(c.pid)!.push(c);
  });
  return [...seq.values()];
}

/** `name = ret` with addresses and pids made comparable between two runs. */
function shape(c: Call): string {
  const ret = PID_CALLS.has(c.name) ? "PID" : c.ret.startsWith("0x") ? "ADDR" : c.ret;
  return `${c.name} = ${ret}`;
}

/** Splits an argument list at its top-level commas. */
function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = "";
  for (let i = 0; i < args.length; i++) {
    const ch = args[i]!;
    if (quoted) {
      cur += ch;
      if (ch === "\\") cur += args[++i] ?? "";
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if ("{[(".includes(ch)) depth++;
    else if ("}])".includes(ch)) depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

/** Runs a command to its end; resolves with status and output. */
function run(cmd: string, args: string[], options: { stdio?: "ignore" | "pipe" } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", options.stdio === "pipe" ? "pipe" : "ignore", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString("latin1")));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("latin1")));
    child.once("exit", (code, signal) => resolve({ code: code ?? (signal !== null ? 128 + (signal === "SIGINT" ? 2 : 15) : null), stdout, stderr }));
  });
}

/** Children of process `pid` (its main thread's). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "latin1").trim().split(/\s+/).filter((w) => w !== "").map(Number);
  } catch {
    return [];
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "latin1").trim();
  } catch {
    return "";
  }
}

/** Polls `cond` every 50 ms for up to 20 s. */
async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(cond(), "timed out waiting");
}

suite("ftk trace on the live kernel, against strace", { skip }, () => {
  const fs = live.fs as Tracefs;
  let dir: string;
  let prog: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ftk-trace-test-"));
    writeFileSync(join(dir, "prog.c"), PROGRAM);
    prog = join(dir, "prog");
    const cc = spawnSync("gcc", ["-O0", "-o", prog, join(dir, "prog.c")], { encoding: "latin1" });
    assert.equal(cc.status, 0, cc.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** ftk trace ARGS -o FILE; returns the lines, stderr and status, and checks tracefs is as before. */
  async function ftkTrace(args: string[]): Promise<{ text: string; stderr: string; code: number | null }> {
    const snap = await snapshotTracefsState(fs);
    const out = join(dir, "ftk.out");
    rmSync(out, { force: true });
    const r = await run(process.execPath, [ftkBin(), "trace", "-o", out, ...args]);
    await assertTracefsUnchanged(fs, snap);
    let text = "";
    try {
      text = readFileSync(out, "latin1");
    } catch {
      // no output file: the caller checks the status
    }
    return { text, stderr: r.stderr, code: r.code };
  }

  /** strace -f of the command. */
  async function strace(extra: string[], command: string[]): Promise<string> {
    const out = join(dir, "strace.out");
    const r = await run("strace", ["-f", "-qq", "-o", out, ...extra, "--", ...command]);
    assert.equal(r.code, 0, r.stderr);
    return readFileSync(out, "latin1");
  }

  /** Asserts both tools saw the same calls and returns; checks paths and fully decoded arguments. Returns the number of lines compared exactly. */
  function assertSameCalls(ftkText: string, straceText: string, program: string): number {
    const ours = byProcess(parseCalls(ftkText, "ftk"), program);
    const theirs = byProcess(parseCalls(straceText, "strace"), program);
    assert.equal(ours.length, theirs.length, "number of processes");
    let exact = 0;
    ours.forEach((seq, p) => {
      const ref = theirs[p]!;
      const a = seq.map(shape);
      const b = ref.map(shape);
      const diff = a.findIndex((x, i) => x !== b[i]);
      assert.ok(diff < 0 && a.length === b.length, `process ${p}: call ${diff + 1} differs: ftk '${a[diff] ?? "(none)"}', strace '${b[diff] ?? "(none)"}'`);
      seq.forEach((c, i) => {
        const s = ref[i]!;
        if (PID_CALLS.has(c.name)) return;
        const ourArgs = splitArgs(c.args);
        const theirArgs = splitArgs(s.args);
        // Every path ftk shows equals strace's.
        ourArgs.forEach((arg, k) => {
          if (arg.startsWith('"')) assert.equal(arg, theirArgs[k], `${c.name} argument ${k + 1}`);
        });
        // An argument list ftk decodes fully (no pointer left) is strace's, flags and all.
        if (!/0x[0-9a-f]/.test(c.args)) {
          assert.equal(`${c.name}(${c.args}) = ${shape(c)}`, `${s.name}(${s.args}) = ${shape(s)}`);
          exact++;
        }
      });
    });
    return exact;
  }

  test("ftk trace PROGRAM: same calls and returns as strace -f, children included; flags, paths and errno text equal", async () => {
    const ours = await ftkTrace([prog]);
    assert.equal(ours.code, 0, ours.stderr);
    const theirs = await strace([], [prog]);
    const exact = assertSameCalls(ours.text, theirs, prog);
    assert.ok(exact >= 8, `${exact} lines compared exactly`);
    for (const line of [
      'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3',
      'openat(AT_FDCWD, "/nonexistent/ftk-trace-test", O_RDONLY) = -1 ENOENT (No such file or directory)',
      'openat(AT_FDCWD, "/tmp/ftk-trace-test-out", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3',
      "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = ",
      'unlink("/tmp/ftk-trace-test-out") = 0',
    ]) {
      assert.ok(ours.text.split("\n").some((l) => l.replace(/\s+= /, " = ").includes(line)), `ftk shows ${line}`);
    }
    assert.ok(/clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD/.test(ours.text), "fork shows as clone with its flags");
    assert.equal(byProcess(parseCalls(ours.text, "ftk"), prog).length, 2, "the child is followed");
  });

  for (const cmd of [["ls", "/"], ["cat", "/etc/hostname"]]) {
    test(`ftk trace ${cmd.join(" ")}: same calls and returns as strace -f`, async () => {
      const path = spawnSync("which", [cmd[0]!], { encoding: "latin1" }).stdout.trim();
      const ours = await ftkTrace(cmd);
      assert.equal(ours.code, 0, ours.stderr);
      const theirs = await strace([], [path, ...cmd.slice(1)]);
      assertSameCalls(ours.text, theirs, path);
    });
  }

  test("ftk trace -w FILE.dat keeps the recording: ftk trace -i prints the same lines, trace-cmd report reads it", async () => {
    const dat = join(dir, "kept.dat");
    const ours = await ftkTrace(["-w", dat, prog]);
    assert.equal(ours.code, 0, ours.stderr);
    const again = await run(process.execPath, [ftkBin(), "trace", "-i", dat], { stdio: "pipe" });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr.replace(/^ftk trace: note: .*\n/m, ""), ours.text);
    const report = spawnSync("trace-cmd", ["report", dat], { encoding: "latin1", maxBuffer: 1 << 28 });
    if (report.error === undefined) {
      assert.equal(report.status, 0, report.stderr);
      assert.match(report.stdout, /sys_enter: +NR 257 /);
    }
  });

  test("ftk trace -c: call and error counts equal strace -c's", async () => {
    const ours = await ftkTrace(["-c", prog]);
    assert.equal(ours.code, 0, ours.stderr);
    const theirs = await strace(["-c"], [prog]);
    const row = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d+)?\s+(\w+)$/;
    const table = (text: string) => Object.fromEntries(text.split("\n").map((l) => row.exec(l)).filter((m) => m !== null)
      .map((m) => [m[3]!, { calls: Number(m[1]), errors: Number(m[2] ?? 0) }]));
    assert.ok(ours.text.startsWith("% time     seconds  usecs/call     calls    errors syscall\n"), ours.text);
    const got = table(ours.text);
    for (const name of ["openat", "read", "write", "close", "mmap", "clone", "wait4", "clock_nanosleep", "total"]) assert.ok(name in got, `ftk -c lists ${name}`);
    assert.deepEqual(got, table(theirs));
  });

  test("the command inherits the same descriptors and environment from ftk trace and ftk record as when run directly", async () => {
    const list = ["sh", "-c", "ls /proc/$$/fd"];
    // Started directly: stdin, stdout, stderr, and whatever this test inherited without close-on-exec.
    const direct = await run(list[0]!, list.slice(1), { stdio: "pipe" });
    assert.match(direct.stdout, /^0\n1\n2\n/);
    const traced = await run(process.execPath, [ftkBin(), "trace", "-o", join(dir, "fds.out"), ...list], { stdio: "pipe" });
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(traced.stdout, direct.stdout);
    const recorded = await run(process.execPath, [ftkBin(), "record", "-q", "-o", join(dir, "fds.dat"), "-e", "raw_syscalls:sys_exit", ...list], { stdio: "pipe" });
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.equal(recorded.stdout, direct.stdout);
    // The launcher shell sets PWD (busybox's also SHLVL, PATH) for its children: put back as they were.
    // (In this run, env is started by node, so `_` is whatever this test inherited.)
    const env = await run("/usr/bin/env", [], { stdio: "pipe" });
    const envTraced = await run(process.execPath, [ftkBin(), "trace", "-o", join(dir, "env.out"), "/usr/bin/env"], { stdio: "pipe" });
    assert.equal(envTraced.code, 0, envTraced.stderr);
    // Flags after the command are the command's, --debug included.
    const echo = await run(process.execPath, [ftkBin(), "--debug", "trace", "-o", join(dir, "echo.out"), "/bin/echo", "-n", "--debug", "-o"], { stdio: "pipe" });
    assert.equal(echo.code, 0, echo.stderr);
    assert.equal(echo.stdout, "--debug -o");
    // The shell passes the variables on in its own order.
    const sorted = (text: string) => text.split("\n").sort();
    assert.deepEqual(sorted(envTraced.stdout), sorted(env.stdout));
  });

  test("ftk trace -a finds another process's calls by pid", async () => {
    const snap = await snapshotTracefsState(fs);
    const out = join(dir, "all.out");
    const other = spawn(prog, ["wait"], { stdio: ["pipe", "ignore", "ignore"] });
    const otherPid = other.pid!;
    const tracer = spawn(process.execPath, [ftkBin(), "trace", "-a", "-e", "trace=openat,close", "-o", out, "--", "sleep", "3"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    tracer.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => tracer.once("exit", (c) => r(c)));
    // The command runs once tracing is on: wait for ftk's child 'sleep', then let the other process go.
    await waitFor(() => childrenOf(tracer.pid!).some((p) => commOf(p) === "sleep"));
    other.stdin!.end("x");
    await new Promise((r) => other.once("exit", r));
    assert.equal(await exited, 0, stderr);
    await assertTracefsUnchanged(fs, snap);
    // Other processes' calls can fall between a call's entry and exit: strace's "<unfinished ...>" and
    // "<... openat resumed>" pair, joined here back into one line per call.
    const mine: string[] = [];
    for (const l of readFileSync(out, "latin1").split("\n").filter((l) => l.includes(`/${otherPid} `))) {
      const resumed = /<\.\.\. \w+ resumed>(.*)$/.exec(l);
      const last = mine.length - 1;
      if (resumed !== null && last >= 0 && mine[last]!.endsWith(" <unfinished ...>")) mine[last] = mine[last]!.slice(0, -" <unfinished ...>".length) + resumed[1]!;
      else mine.push(l);
    }
    for (let i = 0; i < mine.length; i++) mine[i] = mine[i]!.replace(/\s+= /, " = ");
    assert.ok(mine.some((l) => l.endsWith('openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3')), mine.join("\n"));
    assert.ok(mine.some((l) => l.includes("ftk-trace-test\", O_RDONLY) = -1 ENOENT")), mine.join("\n"));
    assert.ok(mine.some((l) => l.endsWith("close(3) = 0")), mine.join("\n"));
  });

  test("ftk trace -p PID attaches to a running process until it exits", async () => {
    const snap = await snapshotTracefsState(fs);
    const out = join(dir, "pid.out");
    const other = spawn(prog, ["wait"], { stdio: ["pipe", "ignore", "ignore"] });
    const tracer = spawn(process.execPath, [ftkBin(), "trace", "-p", String(other.pid), "-o", out], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    tracer.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => tracer.once("exit", (c) => r(c)));
    await waitFor(() => readFileSync(join(fs.root, "uprobe_events"), "latin1").includes("ftk_trace_strings/"));
    await new Promise((r) => setTimeout(r, 1000)); // tracing is switched on just after the probes are placed
    other.stdin!.end("x");
    assert.equal(await exited, 0, stderr);
    await assertTracefsUnchanged(fs, snap);
    const text = readFileSync(out, "latin1").replace(/\s+= /g, " = ");
    assert.match(text, new RegExp(`^prog/${other.pid} <\\.\\.\\. read resumed>\\) = 1$`, "m"), "the read it was blocked in");
    assert.match(text, /openat\(AT_FDCWD, "\/etc\/hostname", O_RDONLY\) = 3/);
    assert.match(text, /exit_group\(0\) = \?/);
  });

  test("ftk trace of a failing command exits with its status and restores tracefs", async () => {
    const r = await ftkTrace(["false"]);
    assert.equal(r.code, 1);
    assert.ok(/exit_group\(1\)\s+= \?/.test(r.text), r.text);
  });

  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    test(`ftk trace stops on ${sig}, ends the command and restores tracefs (uprobes included)`, async () => {
      const snap = await snapshotTracefsState(fs);
      const out = join(dir, `${sig}.out`);
      const child = spawn(process.execPath, [ftkBin(), "trace", "-o", out, "sleep", "30"], { stdio: "ignore" });
      await waitFor(() => childrenOf(child.pid!).some((p) => commOf(p) === "sleep"));
      await new Promise((r) => setTimeout(r, 500)); // sleep is in its clock_nanosleep
      const probes = readFileSync(join(fs.root, "uprobe_events"), "latin1");
      assert.match(probes, /ftk_trace_strings\//, "string uprobes were in place while tracing");
      child.kill(sig);
      const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      assert.equal(code, 128 + 2, "sleep ended by SIGINT");
      await assertTracefsUnchanged(fs, snap);
      assert.match(readFileSync(out, "latin1"), /clock_nanosleep\(CLOCK_REALTIME, 0, 0x[0-9a-f]+,/);
    });
  }

  test("bad input gives one line and leaves tracefs unchanged", async () => {
    const cases: [string[], number, RegExp][] = [
      [["-e", "trace=opn", "true"], 2, /^ftk trace: -e trace: unknown system call 'opn'/],
      [["-p", "999999999"], 2, /^ftk trace: -p 999999999: no such process/],
      [["no-such-command-ftk"], 2, /^ftk trace: cannot run 'no-such-command-ftk': command not found/],
      [[], 2, /^ftk trace: nothing to trace/],
    ];
    for (const [args, code, re] of cases) {
      const r = await ftkTrace(args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  });

  test("a static binary shows its paths as pointers, with one note", async (t) => {
    const stat = join(dir, "prog-static");
    const cc = spawnSync("gcc", ["-static", "-O0", "-o", stat, join(dir, "prog.c")], { encoding: "latin1" });
    if (cc.status !== 0) return t.skip("no static libc (libc6-dev's libc.a)");
    const r = await ftkTrace(["-e", "trace=openat", stat]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^ftk trace: note: '.*prog-static' is statically linked \(no libc to probe\): paths are shown as pointers\n$/);
    assert.match(r.text, /openat\(AT_FDCWD, 0x[0-9a-f]+, O_RDONLY\)\s+= \d+\n/);
    assert.ok(!r.text.includes('"/etc/hostname"'));
  });
});
