// Scenario 8 (issue 10), `ftk trace` on a kernel with kprobes: the path strings come from kprobes on
// the getname functions and the fs/namei.c calls they are inlined into (the guest's busybox is static: no libc to probe). The
// paths must equal strace's, call by call, for the same commands in the same guest (strace is in the
// image when the host has it; else the known paths of the commands are checked).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { assertStateRestored } from "../lib/lab.mjs";

export const name = "trace-kprobes";
export const title = "scenario 8: ftk trace with kprobe strings (getname, struct filename) against strace";

// Paths absolute and relative, a success and a failure, a directory made and removed, children exec'd.
const SCRIPT = "cat /proc/version > /dev/null; mkdir ftk-lab-dir; rmdir ftk-lab-dir; cat /nonexistent-ftk-lab 2>/dev/null; exit 0";
// Absolute: strace's own PATH search would show failed execve calls that ftk's launcher does not make.
const COMMANDS = { ls: ["/bin/ls", "/"], sh: ["/bin/sh", "-c", SCRIPT] };

export const steps = [
  { id: "state0", kind: "state" },
  ...Object.entries(COMMANDS).flatMap(([id, argv]) => [
    { id: `ftk-${id}`, argv: ["ftk", "trace", "-o", `ftk-${id}.txt`, ...argv], files: [`ftk-${id}.txt`], timeoutMs: 300000 },
    { id: `strace-${id}`, argv: ["strace", "-f", "-qq", "-o", `strace-${id}.txt`, ...argv], files: [`strace-${id}.txt`], timeoutMs: 300000 },
  ]),
  { id: "state1", kind: "state", compareTo: "state0" },
];

/** Calls whose first quoted argument is a path. */
const PATH_CALLS = new Set([
  "open", "openat", "creat", "stat", "lstat", "newfstatat", "statx", "access", "faccessat", "faccessat2", "execve", "execveat",
  "unlink", "unlinkat", "rmdir", "mkdir", "mkdirat", "rename", "renameat", "renameat2", "chdir", "chmod", "fchmodat",
  "readlink", "readlinkat", "statfs", "truncate", "chown", "lchown", "fchownat",
]);

/**
 * The path-taking calls of each process, in order of the processes' first lines: name and first quoted
 * argument (undefined when shown as a pointer). `<... resumed>` halves are skipped: the args are on the
 * `<unfinished ...>` half.
 */
function pathCalls(text, kind) {
  const procs = new Map();
  for (const line of text.split("\n")) {
    const m = kind === "strace" ? /^(\d+) +(\w+)\((.*)$/.exec(line) : /^\S+\/(\d+) +(\w+)\((.*)$/.exec(line);
    if (m === null) continue;
    const [, tid, call, rest] = m;
    if (!procs.has(tid)) procs.set(tid, []);
    if (!PATH_CALLS.has(call)) continue;
    const str = /^(?:[^"]*?)"((?:[^"\\]|\\.)*)"/.exec(rest);
    procs.get(tid).push({ call, path: str === null ? undefined : str[1], line });
  }
  return [...procs.values()];
}

/** Asserts ftk's path-taking calls equal strace's, process by process; returns the paths compared. */
function assertPathsEqual(ftkText, straceText, what) {
  const ours = pathCalls(ftkText, "ftk");
  const theirs = pathCalls(straceText, "strace");
  assert.equal(ours.length, theirs.length, `${what}: processes (ftk ${ours.length}, strace ${theirs.length})`);
  let compared = 0;
  ours.forEach((calls, p) => {
    assert.deepEqual(calls.map((c) => c.call), theirs[p].map((c) => c.call), `${what}: process ${p}: the path-taking calls`);
    calls.forEach((c, i) => {
      if (c.path === undefined) return;
      assert.equal(c.path, theirs[p][i].path, `${what}: process ${p}: ${c.line}\n  strace: ${theirs[p][i].line}`);
      compared++;
    });
  });
  return compared;
}

export function tests(lab) {
  describe(title, () => {
    const ftkText = (id) => readFileSync(lab.step(`trace-kprobes/ftk-${id}`).assertOk().path(`ftk-${id}.txt`), "utf8");
    const strace = (id) => {
      const s = lab.step(`trace-kprobes/strace-${id}`);
      return s.ran && s.status === 0 ? readFileSync(s.path(`strace-${id}.txt`), "utf8") : undefined;
    };

    test("ftk trace ls /: the paths come from the kprobe and equal strace's, call by call", (t) => {
      const text = ftkText("ls");
      assert.match(text, /^ls\/\d+ +execve\("\/bin\/ls", /m, "execve's path");
      assert.match(text, /^ls\/\d+ +\w+\((?:AT_FDCWD, )?"\/", /m, "ls opens or stats \"/\"");
      const theirs = strace("ls");
      if (theirs === undefined) {
        t.diagnostic("strace is not in the guest: checked the known paths only");
        return;
      }
      const compared = assertPathsEqual(text, theirs, "ls /");
      assert.ok(compared >= 2, `only ${compared} paths compared`);
    });

    test("ftk trace sh -c '...': absolute and relative paths, a failing open, mkdir/rmdir, children: equal to strace's", (t) => {
      const text = ftkText("sh");
      for (const want of ['"/proc/version"', '"ftk-lab-dir"', '"/nonexistent-ftk-lab"']) assert.ok(text.includes(want), `ftk shows ${want}:\n${text}`);
      assert.match(text, /"\/nonexistent-ftk-lab", O_RDONLY.*\) += -1 ENOENT \(No such file or directory\)$/m);
      const theirs = strace("sh");
      if (theirs === undefined) {
        t.diagnostic("strace is not in the guest: checked the known paths only");
        return;
      }
      const compared = assertPathsEqual(text, theirs, "sh -c");
      assert.ok(compared >= 4, `only ${compared} paths compared`);
    });

    test("ftk trace leaves tracefs as it was (the kprobe removed)", () => {
      assertStateRestored(lab, "trace-kprobes/state0", "trace-kprobes/state1");
    });
  });
}
