// Recorder benchmark (run as root; not a timed test): the workload
//   dd if=/dev/zero of=/dev/null bs=1 count=N     (N = 2000000 unless FTK_BENCH_COUNT)
// with raw_syscalls enabled, three ways side by side: untraced; under `ftk record`; under a plain reader
// (`cat` of each CPU's trace_pipe_raw into a file, tracefs set up the same way). Prints events captured
// and lost, the recorder's CPU seconds per million events, trace.dat bytes per event against the
// events' own size, the workload slowdown; then the slowdown with `-e sched`.
// Wrap it in `flock /tmp/ftk-tracefs.lock` on a shared machine.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  PageDecoder, Tracefs, UndoStack, applyPlan, createRawRecord, openTrace, parseCpuStats, parseHeaderPage,
  parseRecordArgs, planRecording, record,
} from "../dist/index.js";

const COUNT = Number(process.env.FTK_BENCH_COUNT ?? 2_000_000);
const DD = ["dd", "if=/dev/zero", "of=/dev/null", "bs=1", `count=${COUNT}`];
const dir = mkdtempSync(join(tmpdir(), "ftk-bench-"));
const quiet = { write: () => true };

// A stop by signal must still put tracefs back: abort the recorder, unwind the plain reader's setup.
const stop = new AbortController();
const pendingUndo = new Set();
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    process.exitCode = 128 + (sig === "SIGINT" ? 2 : 15);
    stop.abort(); // the recorder restores on its own; later phases are skipped
    for (const u of pendingUndo) await u.unwind();
    pendingUndo.clear();
  });
}

/** dd's own elapsed seconds, from its "..., 1.23 s, ..." summary on stderr. */
function ddSeconds(stderr) {
  const m = /, ([0-9.]+) s, /.exec(stderr);
  return m ? Number(m[1]) : NaN;
}

function untraced() {
  if (stop.signal.aborted) throw new Error("stopped by a signal");
  const r = spawnSync(DD[0], DD.slice(1), { encoding: "latin1" });
  return ddSeconds(r.stderr);
}

/** Runs dd with its stderr captured to a file, so the recorder's child inherits a plain fd. */
async function underFtk(events, extra = []) {
  const out = join(dir, "ftk.dat");
  const errPath = join(dir, "dd.err");
  // The command inherits our stdio: a shell (of the benchmark, not of ftk) sends dd's summary to a file.
  const argv = [...events.flatMap((e) => ["-e", e]), "-q", "-o", out, ...extra, "sh", "-c", `exec ${DD.join(" ")} 2>${errPath}`];
  const cpu0 = process.cpuUsage();
  const res = await record(parseRecordArgs(argv), { stdout: quiet, stderr: process.stderr, signal: stop.signal });
  const cpu = process.cpuUsage(cpu0);
  const stats = totals(res.buffers);
  return { seconds: ddSeconds(readFileSync(errPath, "latin1")), cpuSeconds: (cpu.user + cpu.system) / 1e6, ...stats, fileBytes: statSync(out).size, out };
}

function totals(buffers) {
  let events = 0;
  let lost = 0;
  for (const b of buffers) for (const c of b.cpus) {
    events += c.readEvents;
    lost += c.overrun + c.dropped;
  }
  return { events, lost };
}

/**
 * Sum of the commit sizes of every page (the bytes the events themselves take in the ring buffer) and
 * the bytes of the CPU data in the file.
 */
async function eventBytes(path) {
  const trace = await openTrace(path);
  let bytes = 0;
  let dataBytes = 0;
  const buf = Buffer.alloc(trace.pageSize);
  const fd = openSync(path, "r");
  try {
    for (const b of trace.buffers) for (const c of b.cpus) {
      dataBytes += c.size;
      for (let off = 0; off < c.size; off += trace.pageSize) {
        const n = readSync(fd, buf, 0, trace.pageSize, c.fileOffset + off);
        if (n < 16) break;
        bytes += Number(buf.readBigUInt64LE(8) & 0x7ffffffn);
      }
    }
  } finally {
    closeSync(fd);
    await trace.close();
  }
  return { bytes, dataBytes };
}

/** Data records in a file of raw sub-buffers, as the plain reader wrote them. */
function countRecords(bytes, layout) {
  const decoder = new PageDecoder(layout);
  const rec = createRawRecord();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let pos = 0; pos + layout.pageSize <= bytes.length; pos += layout.pageSize) {
    decoder.reset(bytes, view, pos, 0);
    while (decoder.next(rec)) n++;
  }
  return n;
}

/** countRecords() over a file read 4096 pages at a time: cat's file of mostly empty pages can pass 2 GiB. */
function countFileRecords(path, layout) {
  const chunk = Buffer.alloc(layout.pageSize * 4096);
  const fd = openSync(path, "r");
  let n = 0;
  try {
    for (let got; (got = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) n += countRecords(chunk.subarray(0, got), layout);
  } finally {
    closeSync(fd);
  }
  return n;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The plain reader: tracefs set up by the same plan, one `cat trace_pipe_raw > file` per CPU. */
async function underCat(events) {
  const fs = await Tracefs.open();
  const plan = await planRecording(fs, parseRecordArgs([...events.flatMap((e) => ["-e", e]), "--no-filter", "true"]));
  const undo = new UndoStack();
  pendingUndo.add(undo);
  const cats = [];
  try {
    const [applied] = await applyPlan(fs, plan, undo);
    const inst = applied.instance;
    for (let cpu = 0; cpu < inst.cpuCount(); cpu++) {
      const fd = openSync(join(dir, `cat.cpu${cpu}`), "w");
      cats.push(spawn("cat", [join(inst.path, `per_cpu/cpu${cpu}/trace_pipe_raw`)], { stdio: ["ignore", fd, "ignore"] }));
      closeSync(fd);
    }
    await new Promise((r) => setTimeout(r, 200));
    await inst.setTracingOn(true);
    const r = spawnSync(DD[0], DD.slice(1), { encoding: "latin1" });
    await inst.setTracingOn(false);
    await new Promise((r2) => setTimeout(r2, 500));
    const buffers = [{ cpus: [] }];
    for (let cpu = 0; cpu < inst.cpuCount(); cpu++) {
      const s = parseCpuStats(await inst.cpuStats(cpu));
      const num = (k) => Number(s.get(k) ?? 0) || 0;
      buffers[0].cpus.push({ readEvents: num("read events"), overrun: num("overrun"), dropped: num("dropped events") });
    }
    let fileBytes = 0;
    let events = 0;
    const layout = parseHeaderPage(await fs.headerPage(), true);
    for (let cpu = 0; cpu < inst.cpuCount(); cpu++) {
      const path = join(dir, `cat.cpu${cpu}`);
      fileBytes += statSync(path).size;
      events += countFileRecords(path, layout);
    }
    // "read events" in per_cpu stats does not count pages taken whole by trace_pipe_raw: count the file.
    return { seconds: ddSeconds(r.stderr), ...totals(buffers), events, fileBytes };
  } finally {
    for (const c of cats) c.kill("SIGKILL");
    await undo.unwind();
    pendingUndo.delete(undo);
  }
}

function row(name, r, base) {
  const slow = ((r.seconds / base - 1) * 100).toFixed(1);
  const cols = [name.padEnd(22), `dd ${r.seconds.toFixed(2)} s`.padEnd(12), `slowdown ${slow}%`.padEnd(16)];
  if (r.events !== undefined) cols.push(`events ${r.events}`.padEnd(18), `lost ${r.lost}`.padEnd(12));
  if (r.fileBytes !== undefined && r.events) cols.push(`${(r.fileBytes / r.events).toFixed(2)} B/event`);
  if (r.cpuSeconds !== undefined && r.events) cols.push(`recorder ${(r.cpuSeconds / (r.events / 1e6)).toFixed(3)} CPU s/Mevent`);
  console.log(cols.join(" "));
}

try {
  console.log(`workload: ${DD.join(" ")}`);
  untraced(); // warm up
  const base = median([untraced(), untraced(), untraced()]);
  row("untraced", { seconds: base }, base);
  const ftk = await underFtk(["raw_syscalls"]);
  row("ftk record (zstd)", ftk, base);
  const ftkNone = await underFtk(["raw_syscalls"], ["--compression", "none"]);
  row("ftk record (none)", ftkNone, base);
  const own = await eventBytes(ftkNone.out);
  const per = (b) => (b / ftkNone.events).toFixed(2);
  console.log(`  events' own size ${per(own.bytes)} B/event (page commits); uncompressed CPU data ${per(own.dataBytes)} B/event (${((own.dataBytes / own.bytes - 1) * 100).toFixed(1)}% over), whole uncompressed file ${per(ftkNone.fileBytes)} B/event (metadata incl. kallsyms); zstd file ${(ftk.fileBytes / ftk.events).toFixed(2)} B/event`);
  const cat = await underCat(["raw_syscalls"]);
  row("plain cat reader", cat, base);
  // sched: few events, so the slowdown is small against the noise; alternate runs and take medians.
  const schedRuns = [];
  const baseRuns = [];
  for (let i = 0; i < 3; i++) {
    baseRuns.push(untraced());
    schedRuns.push(await underFtk(["sched"]));
  }
  const base2 = median(baseRuns);
  const sched = schedRuns.sort((a, b) => a.seconds - b.seconds)[1];
  row("ftk record -e sched", sched, base2);
  console.log(`goals: ftk lost ${ftk.lost} vs cat lost ${cat.lost}; sched slowdown ${((sched.seconds / base2 - 1) * 100).toFixed(1)}% (goal < 5%); machine load ${(await import("node:os")).loadavg()[0].toFixed(1)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
