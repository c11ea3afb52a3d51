// Lab guest runner: executes the plan's steps in order and sends each step's stdout, stderr,
// requested files and exit status to the host over a raw serial port as framed records:
//   "\nFTKLAB <type> <name> <length>\n" followed by <length> bytes   (type: file | end | note)
// Progress lines go to the console. Steps never use a shell unless the plan says so.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { basename, join } from "node:path";
import { dumpTracefsState } from "./tracefs-state.mjs";

const [planPath, channelPath] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planPath, "utf8"));
const channel = openSync(channelPath, "w");
const t0 = Date.now();

function send(type, name, data) {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const head = Buffer.from(`\nFTKLAB ${type} ${name} ${bytes.length}\n`, "latin1");
  for (const b of [head, bytes]) {
    let off = 0;
    while (off < b.length) off += writeSync(channel, b, off, b.length - off);
  }
}

function jsonSafe(value) {
  return JSON.stringify(value, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : typeof v === "bigint" ? String(v) : v), 1);
}

const snapshots = new Map();
let ftkModule;

/** ftk's own snapshot (and diff against step.compareTo), once src/tracefs exports them (interfaces.md). */
async function ftkSnapshot(step, out) {
  try {
    ftkModule ??= await import("/ftk/dist/index.js");
    const ftk = ftkModule;
    if (typeof ftk.snapshotTracefsState !== "function" || typeof ftk.Tracefs?.open !== "function") return;
    const snap = await ftk.snapshotTracefsState(await ftk.Tracefs.open());
    snapshots.set(step.id, snap);
    out.ftk = snap;
    const before = step.compareTo === undefined ? undefined : snapshots.get(step.compareTo);
    if (before !== undefined && typeof ftk.diffTracefsState === "function") out.ftkDiff = ftk.diffTracefsState(before, snap);
  } catch (e) {
    out.ftkError = String(e?.message ?? e);
  }
}

async function stateStep(step) {
  const out = { lab: dumpTracefsState() };
  // A node walk of tracefs costs tens of seconds under TCG: ftk's snapshot only where asked.
  if (step.ftk) await ftkSnapshot(step, out);
  send("file", `${step.id}/state.json`, jsonSafe(out));
  return { status: 0 };
}

/** Writes (appends) a fixed text to a tracefs file, as `echo text >> file` would, without a shell. */
function writeStep(step) {
  try {
    appendFileSync(step.path, step.text);
    return { status: 0 };
  } catch (e) {
    send("file", `${step.id}/stderr`, `${step.path}: ${e.message}\n`);
    return { status: 1, error: e.code };
  }
}

/** What a stuck process is doing, for the console: its state and kernel stack. */
function describeProcess(pid) {
  const read = (f) => {
    try {
      return readFileSync(`/proc/${pid}/${f}`, "latin1");
    } catch (e) {
      return `<${e.code}>`;
    }
  };
  const state = /^State:.*$/m.exec(read("status"))?.[0] ?? "";
  return `pid ${pid} ${state} wchan ${read("wchan")}\n${read("stack")}`;
}

/** Runs one command (argv, no shell) with a deadline; collects its output and returned files. */
function execStep(step, cwd) {
  return new Promise((resolve) => {
    const child = spawn(step.argv[0], step.argv.slice(1), {
      cwd,
      env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin", HOME: "/root", TERM: "dumb", ...(step.env ?? {}) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so a timeout kills trace-cmd's recorder children too
    });
    const out = [];
    const err = [];
    child.stdout.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.log(`FTKLAB-GUEST step ${step.id} over ${step.timeoutMs ?? 120000}ms, killing: ${describeProcess(child.pid)}`);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, step.timeoutMs ?? 120000);
    let spawnError;
    let done = false;
    let exitTimer;
    const finish = (status, signal) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(exitTimer);
      send("file", `${step.id}/stdout`, Buffer.concat(out));
      send("file", `${step.id}/stderr`, Buffer.concat(err));
      for (const f of step.files ?? []) {
        const p = join(cwd, f);
        if (existsSync(p)) send("file", `${step.id}/${basename(f)}`, readFileSync(p));
      }
      resolve({ status, signal, timedOut, error: spawnError });
    };
    child.on("close", finish);
    // A leftover grandchild holding the pipes must not stall the plan: finish 10 s after exit.
    child.on("exit", (status, signal) => {
      exitTimer = setTimeout(() => finish(status, signal), 10000);
    });
    child.on("error", (e) => {
      spawnError = e.message;
      setTimeout(() => finish(null, null), 1000);
    });
  });
}

/**
 * True when `trace-cmd report` of a recorded file shows no event. trace-cmd 3.1.6 itself now and
 * then records nothing of a short command here (both CPUs "read events: 0", the events left in the
 * ring buffer), so its recordings (step.retryIfNothingIn) are made once more when that happens.
 */
function recordedNothing(path) {
  if (!existsSync(path)) return false;
  // A long report stops at maxBuffer (status null): it has events, which is all we need to know.
  const r = spawnSync("trace-cmd", ["report", "-i", path], { encoding: "latin1", maxBuffer: 64 << 10 });
  return r.status === 0 && r.stdout.split("\n").filter((l) => l.trim() !== "").length <= 1;
}

for (const step of plan.steps) {
  const cwd = step.cwd ?? "/work";
  mkdirSync(cwd, { recursive: true });
  const start = Date.now();
  console.log(`FTKLAB-GUEST step ${step.id} start +${((start - t0) / 1000).toFixed(1)}s`);
  let meta;
  try {
    meta = step.kind === "state" ? await stateStep(step) : step.kind === "write" ? writeStep(step) : await execStep(step, cwd);
    if (step.retryIfNothingIn !== undefined && meta.status === 0 && recordedNothing(join(cwd, step.retryIfNothingIn))) {
      console.log(`FTKLAB-GUEST step ${step.id} recorded nothing, running it again`);
      meta = { ...(await execStep(step, cwd)), retried: true };
    }
  } catch (e) {
    meta = { status: null, error: String(e?.stack ?? e) };
  }
  meta.ms = Date.now() - start;
  send("end", step.id, JSON.stringify(meta));
  console.log(`FTKLAB-GUEST step ${step.id} status ${meta.status} ${meta.ms}ms`);
}
send("note", "done", JSON.stringify({ ms: Date.now() - t0 }));
closeSync(channel);
