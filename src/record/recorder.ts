// `record`, `start` and `extract` (tracefs-control.md §4): plan -> checks -> apply with undo -> per-CPU
// capture -> trace.dat. Every exit path (success, failing command, late error, SIGINT, SIGTERM) unwinds
// the UndoStack unless -k was given.
import { readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import { testPause } from "../base/index.js";
import { openTrace, writeTraceDat } from "../tracedat/index.js";
import type { OpenTraceOptions, TraceDatBuffer, TraceDatMetadata, TraceDatWriteResult, TraceFile } from "../tracedat/index.js";
import { Tracefs, UndoStack, parseCpuStats, parseTraceClock, releaseInstanceClaim } from "../tracefs/index.js";
import { applyPlan, setPidFilters, waitForResizes } from "./apply.js";
import type { AppliedInstance } from "./apply.js";
import { Capture } from "./capture.js";
import type { PageSink } from "./capture.js";
import { dateOffset, measureTsc2nsec } from "./clock-sync.js";
import { launchArgv, setRealtimePriority, startHeldCommand } from "./command.js";
import type { HeldCommand } from "./command.js";
import { FTK_VERSION_STRING, collectMetadata, randomTraceId, unameString } from "./metadata.js";
import type { RecordOptions } from "./options.js";
import { planRecording } from "./plan.js";
import { ProcMapWatcher } from "./proc-maps.js";
import { ownThreadIds } from "./apply.js";
import type { RecordPlan } from "./plan.js";

/** Streams and stop signal of one recording. */
export interface RecordIo {
  stdout: Writable;
  stderr: Writable;
  /** Aborting it stops the recording cleanly (the CLI wires SIGINT/SIGTERM to it). */
  signal: AbortSignal;
  /** Test hook: the tracefs to use (default: the mounted one). */
  tracefs?: Tracefs;
  /** The command's stdio (default "inherit"). */
  commandStdio?: "inherit" | "ignore";
}

/** Per CPU of one buffer: what the kernel stats said at the end. */
export interface CpuSummary {
  cpu: number;
  entries: number;
  overrun: number;
  dropped: number;
  readEvents: number;
}

/** What a recording produced. */
export interface RecordResult {
  /** Exit status: the command's (128+N for signal N), 0 without a command. */
  status: number;
  /** Pid of the command (its comm in the report may still be the pre-exec one, see saved_cmdlines). */
  commandPid?: number;
  output?: string;
  buffers: { name: string; cpus: CpuSummary[] }[];
  file?: TraceDatWriteResult;
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie has ended: only its parent's wait() is missing.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return true;
  }
}

async function waitForPids(pids: readonly number[], signal: AbortSignal): Promise<void> {
  while (!signal.aborted && pids.some(alive)) {
    await Promise.race([new Promise((r) => setTimeout(r, 100)), abortPromise(signal)]);
  }
}

/** Events whose formats the file needs: the enabled ones, kernel_stack for -T, and enable_event targets of -R. */
function recordedEvents(plan: RecordPlan): { system: string; event: string }[] {
  const all: { system: string; event: string }[] = plan.instances.flatMap((i) => i.events);
  if (plan.instances.some((i) => i.options.some((o) => o.name === "stacktrace" && o.on))) all.push({ system: "ftrace", event: "kernel_stack" });
  for (const ev of plan.instances.flatMap((i) => i.events)) {
    for (const t of ev.triggers) {
      const m = /^(?:enable|disable)_event:([^:\s]+):([^:\s]+)/.exec(t);
      if (m !== null) all.push({ system: m[1]!, event: m[2]! });
    }
  }
  return all;
}

async function buffersOf(capture: Capture): Promise<{ buffers: TraceDatBuffer[]; summaries: RecordResult["buffers"] }> {
  const buffers: TraceDatBuffer[] = [];
  const summaries: RecordResult["buffers"] = [];
  for (const cap of capture.instances) {
    const inst = cap.instance;
    const cpuStats: string[] = [];
    const cpus: CpuSummary[] = [];
    for (let cpu = 0; cpu < inst.cpuCount(); cpu++) {
      const text = await inst.cpuStats(cpu);
      cpuStats[cpu] = text;
      const s = parseCpuStats(text);
      const num = (k: string) => Number(s.get(k) ?? 0) || 0;
      cpus.push({ cpu, entries: num("entries"), overrun: num("overrun"), dropped: num("dropped events"), readEvents: num("read events") });
    }
    buffers.push({ name: inst.name, clock: (await inst.traceClock()).current, pageSize: cap.pageSize, cpuFiles: cap.cpuFiles, cpuStats });
    summaries.push({ name: inst.name, cpus });
  }
  return { buffers, summaries };
}

/** Writes the trace.dat of a finished capture. The top buffer comes first even when it recorded nothing. */
async function assemble(
  fs: Tracefs,
  plan: RecordPlan,
  capture: Capture,
  events: { system: string; event: string }[],
  commandPid?: number,
  procMaps?: readonly string[],
) {
  const o = plan.options;
  const { buffers, summaries } = await buffersOf(capture);
  await testPause("mid-extract");
  if (buffers[0]?.name !== "") {
    const top = fs.topInstance();
    buffers.unshift({ name: "", clock: (await top.traceClock()).current, pageSize: await top.pageSize(), cpuFiles: [] });
  }
  const clockInstance = capture.instances[0]?.instance ?? fs.topInstance();
  const meta = await collectMetadata(fs, events, commandPid === undefined ? undefined : { pid: commandPid, argv0: o.command[0]! }, { kallsyms: o.kallsyms });
  const clock = (await clockInstance.traceClock()).current;
  let traceClock = await clockInstance.readFile("trace_clock");
  const tsc2nsec = o.tsc2nsec ? await measureTsc2nsec(fs) : undefined;
  // As trace-cmd: a file converted with TSC2NSEC names its clock "tsc2nsec" (nanoseconds when read).
  if (tsc2nsec !== undefined) traceClock = traceClock.replace("[x86-tsc]", "[tsc2nsec]");
  const file = await writeTraceDat(o.output, meta, buffers, {
    version: o.fileVersion,
    compression: o.compression,
    pageSize: buffers[0]!.pageSize,
    cpuCount: fs.cpuCount(),
    traceClock: await clockInstance.readFile("trace_clock"),
    uname: unameString(),
    traceCmdVersion: FTK_VERSION_STRING,
    traceId: randomTraceId(),
    ...(o.date ? { date: await dateOffset(fs, clock) } : {}),
    ...(tsc2nsec !== undefined ? { tsc2nsec } : {}),
    procMaps,
  });
  return { file, summaries };
}

/** Prints the end-of-recording summary like trace-cmd: kernel stats per CPU, then where each CPU's data went. */
function printSummary(out: Writable, summaries: RecordResult["buffers"], file: TraceDatWriteResult): void {
  const lines: string[] = [];
  for (const b of summaries) {
    if (b.name !== "") lines.push(`Buffer: ${b.name}`, "");
    for (const c of b.cpus) {
      const lost = c.overrun + c.dropped;
      lines.push(`CPU ${c.cpu}: ${c.readEvents} events recorded, ${lost} events lost`);
    }
  }
  for (const b of file.buffers) {
    for (const c of b.cpus) {
      if (c.size === 0) continue;
      lines.push(`CPU${c.cpu} data recorded at offset=0x${c.fileOffset.toString(16)}`);
      lines.push(`    ${c.size} bytes in size${c.size !== c.rawSize ? ` (${c.rawSize} uncompressed)` : ""}`);
    }
  }
  out.write(lines.join("\n") + "\n");
}

/** What a session hands to its end step. */
interface Session {
  fs: Tracefs;
  plan: RecordPlan;
  capture: Capture;
  status: number;
  commandPid: number | undefined;
  /** PROCMAPS payloads (--proc-map). */
  procMaps?: string[];
}

/**
 * The part record and stream share: plan, apply with undo, open the capture (temp files or a sink),
 * start the command held, pid filters, tracing on, wait for the command / Ctrl-C / the -P processes,
 * tracing off, drain; then `end`, and the restore on every exit path (unless -k).
 */
async function runSession<R>(
  o: RecordOptions,
  io: RecordIo,
  name: string,
  target: string | PageSink,
  hooks: {
    ready?: (fs: Tracefs, plan: RecordPlan, capture: Capture) => Promise<void>;
    started?: (pid: number) => void;
    end: (s: Session) => Promise<R>;
  },
): Promise<R> {
  const fs = io.tracefs ?? (await Tracefs.open());
  const plan = await planRecording(fs, o, (l) => io.stderr.write(`ftk ${name}: ${l}\n`), { needsOutput: typeof target === "string" });
  const undo = new UndoStack();
  let capture: Capture | undefined;
  let held: HeldCommand | undefined;
  let status = 0;
  let applied: AppliedInstance[] = [];
  let restoringEarly: Promise<string[]> | undefined;
  try {
    await testPause("before-change");
    // The buffer resizes wait for the kernel while the command's launcher starts.
    applied = await applyPlan(fs, plan, undo, "record", { deferResize: true });
    if (o.command.length > 0) held = await startHeldCommand(plan.shellPath!, launchArgv(plan.shellPath!, plan.commandPath!, o.command), io.commandStdio, plan.user);
    await waitForResizes(applied);
    const recorded = applied.filter((a) => a.plan.record);
    capture = await Capture.open(recorded.map((a) => a.instance), typeof target === "string" ? plan.tempBase : target, {
      maxSleepMs: Math.max(1, (o.sleepUs ?? 100_000) / 1000),
      maxKbPerCpu: o.maxKb,
    });
    // With a command, the sink's set-up (reading the metadata) runs while the command starts on the other
    // CPU: its records wait in the buffers, which are read from when the set-up is done.
    const early = held === undefined || hooks.ready === undefined;
    if (early) await hooks.ready?.(fs, plan, capture);
    if (plan.chrtPath !== undefined) await setRealtimePriority(plan.chrtPath, o.priority!);
    if (held !== undefined) hooks.started?.(held.pid);
    // What may be undone once tracing is off, before the drain: the events' enables, filters and triggers
    // of a lone instance (instances' undos interleave otherwise), else the pid filters.
    const earlyMark = applied.length === 1 ? applied[0]!.eventsMark : undo.size;
    await setPidFilters(applied, plan, undo, held);
    const pids = [...o.pids, ...(held !== undefined ? [held.pid] : [])];
    const maps = o.procMap === true ? await ProcMapWatcher.start(fs, undo, pids.length > 0 ? pids : undefined, ownThreadIds()) : undefined;
    if (early) capture.start();
    for (const a of recorded) await a.instance.setTracingOn(true);
    await testPause("recording");
    if (held !== undefined) {
      await held.release();
      if (!early) {
        await hooks.ready!(fs, plan, capture);
        capture.start();
      }
      const exit = held.wait();
      await Promise.race([exit, abortPromise(io.signal)]);
      // Stopped early: ask the command to end, then insist (a command that ignores SIGINT must not hang us).
      for (const [sig, waitMs] of [["SIGINT", 2000], ["SIGTERM", 2000], ["SIGKILL", 0]] as const) {
        if (held.exited) break;
        held.kill(sig);
        if (waitMs > 0) await Promise.race([exit, new Promise((r) => setTimeout(r, waitMs))]);
      }
      status = await exit;
    } else {
      if (!o.quiet && name === "record") io.stdout.write("Hit Ctrl^C to stop recording\n");
      if (o.pids.length > 0) await waitForPids(o.pids, io.signal);
      else await abortPromise(io.signal);
    }
    for (const a of recorded) await a.instance.setTracingOn(false);
    // Nothing is recorded now, so the events and pid filters no longer matter: their restore (disabling a
    // uprobe or clearing set_event_pid waits ~20 ms for the kernel) runs while the buffers are drained and
    // the end is handled.
    if (!o.keep && maps === undefined) restoringEarly = undo.unwindTo(earlyMark);
    await capture.finish();
    return await hooks.end({ fs, plan, capture, status, commandPid: held?.pid, procMaps: await maps?.stop() });
  } finally {
    held?.kill("SIGKILL");
    await waitForResizes(applied).catch(() => undefined);
    for (const f of (await restoringEarly) ?? []) io.stderr.write(`ftk ${name}: cannot restore: ${f}\n`);
    if (capture !== undefined) {
      await capture.close();
      if (typeof target === "string") capture.removeFiles(plan.tempBase);
    }
    // -k keeps the user's settings; ftk's own bookkeeping (tracing_on, its pid filter) is undone anyway.
    const failures = await undo.unwind({ ownOnly: o.keep });
    for (const f of failures) io.stderr.write(`ftk ${name}: cannot restore: ${f}\n`);
  }
}

/**
 * Records as `trace-cmd record` does and writes `options.output`. Resolves with the command's exit status.
 * @example
 * const res = await record(parseRecordArgs(["-e", "sched", "ls"]), { stdout, stderr, signal });
 */
export async function record(o: RecordOptions, io: RecordIo): Promise<RecordResult> {
  return runSession(o, io, "record", o.output, {
    end: async ({ fs, plan, capture, status, commandPid, procMaps }) => {
      const { file, summaries } = await assemble(fs, plan, capture, recordedEvents(plan), commandPid, procMaps);
      if (!o.quiet) printSummary(io.stdout, summaries, file);
      return { status, commandPid, output: o.output, buffers: summaries, file };
    },
  });
}

/** What a trace.dat of the streamed session would store, and where its tracefs is. */
export interface StreamInfo {
  metadata: TraceDatMetadata;
  traceClock: string;
  pageSize: number;
  cpuCount: number;
  tracefsRoot: string;
}

/** What `stream` needs to decode and print pages live. */
export interface StreamView {
  /** Called once tracing is set up (before it is switched on) with what a trace.dat would store. */
  begin(info: StreamInfo): Promise<void>;
  /** Pages read from one CPU of one instance ("" = top); valid only during the call. */
  pages(instance: string, cpu: number, pages: Uint8Array): void;
  /** Memory to read the next pages into (at least `bytes`), which pages() is then handed: no copy needed. */
  room?(bytes: number): Uint8Array;
  /**
   * End of a read round: print what was collected; `complete` when the pages being written were read too.
   * `clockNs`: the trace clock (ns clocks) when the round began, from the CPUs' stats; undefined when
   * unknown. True when work is left (the next round then comes at once).
   */
  flush(complete: boolean, clockNs?: number): boolean | void;
  /** Read the pages being written only this often, ms (default: every round). */
  partialEveryMs?: number;
  /** The command's pid, once it is started (held, before tracing is switched on). */
  started?(pid: number): void;
  /** At the end, after the last pages: what the kernel's stats said per CPU (events lost). */
  done?(buffers: RecordResult["buffers"]): void;
  /**
   * After done(), before the restore ends: hand on what is left. The restore's kernel waits overlap it when
   * it yields now and then (await between bounded stretches).
   */
  drain?(): Promise<void>;
}

/**
 * A stream's metadata as a trace.dat without data at `path`, opened: its event formats, symbols and
 * layout decode the pages a StreamView is handed.
 */
export async function openStreamTrace(info: StreamInfo, path: string, options?: OpenTraceOptions): Promise<TraceFile> {
  const clock = parseTraceClock(info.traceClock).current;
  await writeTraceDat(path, info.metadata, [{ name: "", clock, pageSize: info.pageSize, cpuFiles: [] }], {
    version: 6, compression: "none", pageSize: info.pageSize, cpuCount: info.cpuCount, traceClock: info.traceClock,
  });
  return openTrace(path, options);
}

/** `ftk stream`: sets tracing up like record and hands the pages to `view` as they are read; restores at the end. */
export async function stream(o: RecordOptions, io: RecordIo, view: StreamView): Promise<number> {
  const sink: PageSink = (capture, cpu, pages) => view.pages(capture.instance.name, cpu, pages);
  return runSession(o, io, "stream", sink, {
    started: (pid) => view.started?.(pid),
    ready: async (fs, plan, capture) => {
      capture.onRoundEnd = (complete, clockNs) => view.flush(complete, clockNs);
      capture.partialEveryMs = view.partialEveryMs ?? 0;
      if (view.room !== undefined) capture.pageRoom = (bytes) => view.room!(bytes);
      const clockInstance = capture.instances[0]?.instance ?? fs.topInstance();
      await view.begin({
        metadata: await collectMetadata(fs, recordedEvents(plan), undefined, { kallsyms: o.kallsyms }),
        traceClock: await clockInstance.readFile("trace_clock"),
        pageSize: await clockInstance.pageSize(),
        cpuCount: fs.cpuCount(),
        tracefsRoot: fs.root,
      });
    },
    end: async ({ status, capture }) => {
      if (view.done !== undefined) view.done((await buffersOf(capture)).summaries);
      await view.drain?.();
      return status;
    },
  });
}

/** `ftk start`: sets tracing up like record and switches it on, leaving everything in place. */
export async function start(o: RecordOptions, io: RecordIo): Promise<void> {
  const fs = io.tracefs ?? (await Tracefs.open());
  const plan = await planRecording(fs, { ...o, noFilter: true }, (l) => io.stderr.write(`ftk start: ${l}\n`), { needsOutput: false });
  const undo = new UndoStack();
  try {
    const applied = await applyPlan(fs, plan, undo);
    for (const a of applied) await a.instance.setTracingOn(true);
    // The settings stay on purpose ('ftk stop'/'ftk reset' end them): nothing to restore.
    for (const p of plan.instances) releaseInstanceClaim(fs.root, p.name);
    undo.discard();
  } catch (e) {
    await undo.unwind();
    throw e;
  }
}

/**
 * `ftk set`: applies the settings like start, but adds to what is there: other events stay enabled, the
 * buffers are not cleared and tracing_on is left as it is. The settings stay.
 */
export async function setTracing(o: RecordOptions, io: RecordIo): Promise<void> {
  const fs = io.tracefs ?? (await Tracefs.open());
  const plan = await planRecording(fs, { ...o, noFilter: true }, (l) => io.stderr.write(`ftk set: ${l}\n`), { needsOutput: false, needsEvents: false });
  const undo = new UndoStack();
  try {
    await applyPlan(fs, plan, undo, "set");
    if (plan.options.pids.length > 0) {
      for (const p of plan.instances) {
        const inst = p.name === "" ? fs.topInstance() : fs.instance(p.name);
        await inst.setPidList("set_event_pid", plan.options.pids, undo);
      }
    }
    for (const p of plan.instances) releaseInstanceClaim(fs.root, p.name);
    undo.discard();
  } catch (e) {
    await undo.unwind();
    throw e;
  }
}

/**
 * `ftk extract`: writes a trace.dat from the ring buffers as they stand (top level, or the -B instances),
 * consuming them. Tracing is paused while reading and restored afterwards.
 */
export async function extract(o: RecordOptions, io: RecordIo): Promise<RecordResult> {
  const fs = io.tracefs ?? (await Tracefs.open());
  const named = o.instances.slice(1).map((i) => i.name);
  const names = o.allInstances ? ["", ...(await fs.listInstances())] : named.length > 0 ? [...(o.extractTop === true ? [""] : []), ...named] : [""];
  const instances = names.map((n) => (n === "" ? fs.topInstance() : fs.instance(n)));
  const plan = await planRecording(fs, { ...o, instances: [{ name: "", events: [], options: [] }], tracer: "nop" }, () => {});
  const undo = new UndoStack();
  let capture: Capture | undefined;
  try {
    for (const inst of instances) await inst.setTracingOn(false, undo);
    capture = await Capture.open(instances, o.output, { maxSleepMs: 1 });
    await capture.finish();
    const events = await fs.availableEvents();
    const { file, summaries } = await assemble(fs, plan, capture, events);
    if (!o.quiet) printSummary(io.stdout, summaries, file);
    return { status: 0, output: o.output, buffers: summaries, file };
  } finally {
    if (capture !== undefined) {
      await capture.close();
      capture.removeFiles(o.output);
    }
    for (const f of await undo.unwind()) io.stderr.write(`ftk extract: cannot restore: ${f}\n`);
  }
}
