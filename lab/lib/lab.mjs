// What scenarios see after the boot: each step's result (status, stdout, stderr, returned files),
// host-side runs of trace-cmd and ftk over returned files, and the todo markers for ftk commands
// that other issues have not delivered yet.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import assert from "node:assert/strict";

/** Which issue each ftk subcommand comes from, for the todo reason of tests that need it. */
export const COMMAND_ISSUES = {
  record: "issue 'Write path' (ftk record)",
  start: "issue 'Write path' (ftk start)",
  reset: "issue 'Write path' (ftk reset)",
  report: "issue 'Read path' (ftk report)",
  list: "ftk list (src/cli/list.ts)",
  stat: "ftk stat (src/cli/stat.ts)",
  show: "ftk show (src/cli/show.ts)",
  probe: "issue 'Dynamic probes' (ftk probe)",
};

/** One step's outcome as sent by the guest runner. */
export class StepResult {
  constructor(id, meta, files, dir) {
    this.id = id;
    this.meta = meta;
    this.files = files;
    this.dir = dir;
  }
  get ran() {
    return this.meta !== undefined;
  }
  get status() {
    return this.meta?.status;
  }
  get stdout() {
    return this.files.get("stdout")?.toString("utf8") ?? "";
  }
  get stderr() {
    return this.files.get("stderr")?.toString("utf8") ?? "";
  }
  /** Bytes of a returned file, or undefined. */
  file(name) {
    return this.files.get(name);
  }
  /** Host path of a returned file (saved under the results folder); fails the test when missing. */
  path(name) {
    assert.ok(this.files.has(name), `step '${this.id}' returned no '${name}' (status ${this.status}, stderr: ${this.stderr.slice(0, 400)})`);
    return join(this.dir, name);
  }
  /** Asserts the step ran and exited 0, showing its stderr otherwise. */
  assertOk() {
    assert.ok(this.ran, `step '${this.id}' did not run (guest died or timed out before it)`);
    assert.equal(this.status, 0, `step '${this.id}' exited ${this.status} (${this.meta.signal ?? ""}${this.meta.error ?? ""}); stderr:\n${this.stderr.slice(0, 2000)}`);
    return this;
  }
  /** The state snapshot of a "state" step. */
  state() {
    const buf = this.files.get("state.json");
    assert.ok(buf, `state step '${this.id}' returned no snapshot`);
    return JSON.parse(buf.toString("utf8"));
  }
}

/** Lab results of one boot plus host helpers. */
export class Lab {
  constructor({ channel, resultsDir, repo, boot }) {
    this.repo = repo;
    this.boot = boot;
    this.truncated = channel.truncated;
    this.steps = new Map();
    rmSync(resultsDir, { recursive: true, force: true });
    const byStep = new Map();
    for (const [name, data] of channel.files) {
      const cut = name.lastIndexOf("/");
      const id = name.slice(0, cut);
      if (!byStep.has(id)) byStep.set(id, new Map());
      byStep.get(id).set(name.slice(cut + 1), data);
      const path = join(resultsDir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
    for (const id of new Set([...byStep.keys(), ...channel.ends.keys()])) {
      this.steps.set(id, new StepResult(id, channel.ends.get(id), byStep.get(id) ?? new Map(), join(resultsDir, id)));
    }
    const help = this.steps.get("lab/ftk-help");
    this.commands = new Set((help?.stdout ?? "").split("\n").map((l) => /^ {2}(\S+)/.exec(l)?.[1]).filter(Boolean));
  }

  /** The result of step `id` ("scenario/step"); a placeholder that fails assertOk() if it never ran. */
  step(id) {
    return this.steps.get(id) ?? new StepResult(id, undefined, new Map(), "");
  }

  /** True when the image's ftk has subcommand `name`. */
  has(name) {
    return this.commands.has(name);
  }

  /** node:test options: a todo naming the issue when one of the ftk commands is still missing. */
  needs(...names) {
    const missing = names.filter((n) => !this.has(n));
    if (missing.length === 0) return {};
    return { todo: "waits for " + missing.map((n) => COMMAND_ISSUES[n] ?? `ftk ${n}`).join(", ") };
  }

  /** Runs trace-cmd on the host (argv, no shell); returns { status, stdout, stderr }. */
  traceCmd(...args) {
    return run("trace-cmd", args);
  }

  /** Runs the checkout's ftk on the host (argv, no shell). */
  ftk(...args) {
    return run(process.execPath, [join(this.repo, "bin", "ftk"), ...args]);
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 512 * 1024 * 1024, timeout: 300000 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", error: r.error?.message };
}

/** Asserts two texts are equal; on a mismatch names the first differing line (style.md §8). */
export function assertSameText(actual, expected, what) {
  if (actual === expected) return;
  const a = actual.split("\n");
  const e = expected.split("\n");
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  assert.fail(`${what}: first difference at line ${i + 1} (of ${a.length} vs ${e.length})\n  got:      ${JSON.stringify(a[i])}\n  expected: ${JSON.stringify(e[i])}`);
}

/** Differences between two lab tracefs dumps, as "path: before -> after" lines. */
export function diffStates(before, after, prefix = "") {
  const out = [];
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of [...keys].sort()) {
    const a = before?.[k];
    const b = after?.[k];
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object") out.push(...diffStates(a, b, `${prefix}${k}/`));
    else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${prefix}${k}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
  }
  return out;
}

/** trace-cmd record keeps the buffer size it set (tracefs-control.md §4, "Note the asymmetry"), and
 * the first recording after boot expands the buffer ("7 (expanded: 1408)" -> "1410"). */
const NOT_RESTORED = ["top/buffer_size_kb"];

/**
 * Asserts the tracefs state of state step `afterId` equals that of `beforeId` (lab dump, and ftk's
 * diffTracefsState when the guest had it). `ignore` lists dump paths allowed to differ.
 */
export function assertStateRestored(lab, beforeId, afterId, ignore = []) {
  const before = lab.step(beforeId).state();
  const after = lab.step(afterId).state();
  const skip = [...NOT_RESTORED, ...ignore];
  const diff = diffStates(before.lab, after.lab).filter((d) => !skip.some((p) => d.startsWith(p + ":")));
  assert.deepEqual(diff, [], `tracefs changed between '${beforeId}' and '${afterId}'`);
  if (Array.isArray(after.ftkDiff)) {
    // ftk's keys are tracefs-relative ("trace_clock", "per_cpu/cpu0/buffer_size_kb"), ours start with "top/".
    const names = skip.map((p) => p.replace(/^top\//, ""));
    const ftkDiff = after.ftkDiff.filter((d) => {
      const key = d.slice(0, d.indexOf(":"));
      return !names.some((n) => key === n || key.endsWith("/" + n));
    });
    assert.deepEqual(ftkDiff, [], `ftk's diffTracefsState between '${beforeId}' and '${afterId}'`);
  }
}
