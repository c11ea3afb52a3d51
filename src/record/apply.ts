// Applies a checked plan to tracefs (tracefs-control.md §4 steps 1-9), pushing the inverse of every
// change on an UndoStack so that any exit path can put the kernel back as it was.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { TracefsError, describeErrno, testPause } from "../base/index.js";
import type { Instance, Tracefs, UndoStack } from "../tracefs/index.js";
import { claimInstance } from "../tracefs/index.js";
import { addProbes } from "../probes/index.js";
import type { PlannedInstance, RecordPlan } from "./plan.js";

/** An instance set up for recording. */
export interface AppliedInstance {
  plan: PlannedInstance;
  instance: Instance;
  /** The buffer resize, when applyPlan was asked not to wait for it (see `deferResize`). */
  resizing?: Promise<void>;
  /**
   * The undo stack's size before this instance's event filters, enables and triggers: what the undo does
   * above it only changes what is recorded (nothing clears or resizes the buffer), so once tracing is off
   * it may run before the buffers are drained.
   */
  eventsMark: number;
}

/** Replaces a pid list file (set_event_notrace_pid, ...) and pushes the old content back on undo. */
export async function setPidFile(
  inst: Instance,
  file: "set_event_pid" | "set_event_notrace_pid",
  pids: readonly number[],
  undo: UndoStack,
  options: { own?: boolean } = {},
): Promise<void> {
  if (!inst.hasFile(file)) return;
  await inst.setPidList(file, pids, undo, options);
}

/** The thread ids of this process: its own activity is kept out of the trace with set_event_notrace_pid. */
export function ownThreadIds(): number[] {
  try {
    return readdirSync("/proc/self/task").map(Number).filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [process.pid];
  }
}

/** "record" starts from a clean instance (tracing off, other events off, buffer cleared); "set" only adds. */
export type ApplyMode = "record" | "set";

const FTRACE_ENABLED = "/proc/sys/kernel/ftrace_enabled";

/** Writes a procfs knob (record -D: ftrace_enabled), journaling the old value first. */
async function setProcKnob(fs: Tracefs, path: string, value: string, undo: UndoStack): Promise<void> {
  let old: string;
  try {
    old = readFileSync(path, "latin1").trim();
  } catch (e) {
    throw new TracefsError(`cannot read '${path}': ${describeErrno(e)}`, { code: "proc", path, cause: e });
  }
  if (old === value) return;
  const drop = undo.push(`restore '${path}' to '${old}'`, async () => writeFileSync(path, old), { step: { kind: "write-proc", root: fs.root, path, text: old } });
  try {
    writeFileSync(path, value);
  } catch (e) {
    drop();
    const code = (e as NodeJS.ErrnoException).code;
    // Root is refused when the kernel is locked down (the 6.18 reference host refuses ftrace_enabled).
    const why = (code === "EPERM" || code === "EACCES") && process.getuid?.() === 0 ? "refused by the kernel (locked down?)" : describeErrno(e);
    throw new TracefsError(`cannot write '${path}': ${why}`, { code: code ?? "proc", path, cause: e });
  }
}

async function applyInstance(fs: Tracefs, plan: RecordPlan, p: PlannedInstance, undo: UndoStack, mode: ApplyMode, deferResize: boolean): Promise<AppliedInstance> {
  const inst = p.create ? await fs.createInstance(p.name, undo) : p.name === "" ? fs.topInstance() : fs.instance(p.name);
  if (mode === "record") {
    await inst.setTracingOn(false, undo, { own: true });
    if ((await inst.enabledEvents()).length > 0) await inst.disableAllEvents(undo);
  }
  if (p.clock !== undefined && (await inst.traceClock()).current !== p.clock) await inst.setTraceClock(p.clock, undo);
  // Resizing waits for the kernel (~20 ms for 16 MiB here): deferred, it is the last change, and the caller
  // does other work (starting the command) before waiting for it. Tracing is off meanwhile.
  const oldKb = p.bufferSizeKb === undefined ? undefined : await inst.bufferSizeKb();
  const resize = oldKb === p.bufferSizeKb ? undefined : p.bufferSizeKb;
  if (resize !== undefined && !deferResize) await inst.setBufferSizeKb(resize, undo);
  // Its undo goes here, below eventsMark; the write comes last.
  const resizeLater = resize !== undefined && deferResize ? inst.deferBufferSizeKb(resize, oldKb!, undo) : undefined;
  if (p.cpumask !== undefined) await inst.setCpumask(p.cpumask, undo);
  await testPause("mid-setup");
  const current = p.options.length === 0 ? new Map<string, boolean>() : await inst.options();
  for (const opt of p.options) {
    if (current.get(opt.name) !== opt.on) await inst.setOption(opt.name, opt.on, undo);
  }
  const o = plan.options;
  if (p.name === "") {
    if (o.tracer !== undefined && o.tracer !== "nop" && o.tracer !== "ufuncgraph") {
      if (o.ftraceFilter.length > 0) await inst.setFtraceFilter(o.ftraceFilter, undo);
      if (o.ftraceNotrace.length > 0) await inst.setFtraceNotrace(o.ftraceNotrace, undo);
      if (o.graphFunctions.length > 0) await inst.setGraphFunction(o.graphFunctions, undo);
      if (o.maxGraphDepth !== undefined) await inst.setMaxGraphDepth(o.maxGraphDepth, undo);
      await inst.setCurrentTracer(o.tracer, undo);
    }
    if (o.disableFunctionTrace === "all") await setProcKnob(fs, FTRACE_ENABLED, "0", undo);
    if (o.cmdlinesSize !== undefined) {
      const old = (await inst.readFile("saved_cmdlines_size")).trim();
      undo.push("restore 'saved_cmdlines_size'", () => inst.writeFile("saved_cmdlines_size", old), {
        step: { kind: "write", root: fs.root, file: "saved_cmdlines_size", text: old },
      });
      await inst.writeFile("saved_cmdlines_size", String(o.cmdlinesSize));
    }
  }
  const eventsMark = undo.size;
  for (const ev of p.events) {
    if (ev.filter !== undefined) await inst.setEventFilter(ev.system, ev.event, ev.filter, undo);
  }
  for (const en of p.enables) await inst.enableEvent(en.system, en.event, undo);
  for (const dis of p.disables) await inst.disableEvent(dis.system, dis.event, undo);
  // Triggers last, so that the undo removes them first: an event that still has a trigger only goes
  // soft-disabled when 0 is written to its enable file. An enable_event target that fired stays
  // enabled after its trigger goes, so its enable file is saved (and put back) first.
  const enabled = new Set(p.events.map((e) => `${e.system}:${e.event}`));
  for (const ev of p.events) {
    for (const t of ev.triggers) {
      const target = /^enable_event:([^:\s]+):([^:\s]+)/.exec(t);
      if (target !== null && !enabled.has(`${target[1]}:${target[2]}`)) await inst.setEventEnable(target[1]!, target[2]!, false, undo);
      await inst.addEventTrigger(ev.system, ev.event, t, undo);
    }
  }
  if (mode === "record") await inst.clearTrace();
  if (resizeLater !== undefined) {
    const resizing = resizeLater();
    resizing.catch(() => undefined); // awaited by the caller; not an unhandled rejection meanwhile
    return { plan: p, instance: inst, resizing, eventsMark };
  }
  return { plan: p, instance: inst, eventsMark };
}

/**
 * Sets tracefs up as the plan says: creates instances and probes, stops tracing in the used instances,
 * sets clock/buffer/options/tracer/filters/triggers, enables events, clears the buffers, and sets the
 * Tracing stays off; the caller sets the pid filters (setPidFilters) once the command is started, and
 * switches tracing on.
 */
export async function applyPlan(
  fs: Tracefs, plan: RecordPlan, undo: UndoStack, mode: ApplyMode = "record", options: { deferResize?: boolean } = {},
): Promise<AppliedInstance[]> {
  // Before any change: a second session would take the first one's settings for the state to restore.
  for (const p of plan.instances) {
    if (!p.create && (p.record || p.events.length > 0)) claimInstance(fs.root, p.name, undo);
  }
  if (plan.probes.length > 0) await addProbes(fs, plan.probes, undo);
  const applied: AppliedInstance[] = [];
  try {
    for (const p of plan.instances) {
      if (!p.record && !p.create && p.events.length === 0) continue;
      applied.push(await applyInstance(fs, plan, p, undo, mode, options.deferResize === true));
    }
  } catch (e) {
    // A resize still under way must end before the caller's undo restores the size.
    await waitForResizes(applied);
    throw e;
  }
  return applied;
}

/** Waits for the deferred buffer resizes of `applied` (see applyPlan's `deferResize`); throws the first failure after all ended. */
export async function waitForResizes(applied: readonly AppliedInstance[]): Promise<void> {
  const results = await Promise.allSettled(applied.map((a) => a.resizing));
  for (const a of applied) a.resizing = undefined;
  const failed = results.find((r) => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

/**
 * Pid filters (tracefs-control.md §5): set_event_pid for -P/-F, our own threads (and helpers) in
 * set_event_notrace_pid, and event-fork for -c. Called after the command is forked: with event-fork on,
 * children of a listed pid join its list, so our fork of the command must happen before.
 */
export async function setPidFilters(
  applied: readonly AppliedInstance[],
  plan: RecordPlan,
  undo: UndoStack,
  command?: { pid: number; helperPids: readonly number[] },
): Promise<void> {
  const o = plan.options;
  const pids = [...o.pids, ...(o.commandOnly && command !== undefined ? [command.pid] : [])];
  for (const a of applied) {
    // event-fork first, so that the undo clears set_event_pid first (it waits for the kernel: runSession
    // starts it as soon as tracing is off).
    if (o.followChildren) await setOptionIfOff(a.instance, "event-fork", undo);
    if (pids.length > 0) await setPidFile(a.instance, "set_event_pid", pids, undo);
    // With a pid list our own threads are not traced anyway: no notrace list, whose clearing at the end
    // waits for the kernel (tracepoint synchronisation, ~10-20 ms here) like set_event_pid's.
    const helpers = command?.helperPids ?? [];
    if (!o.noFilter && (pids.length === 0 || helpers.length > 0)) await setPidFile(a.instance, "set_event_notrace_pid", [...ownThreadIds(), ...helpers], undo, { own: true });
    // Function tracers filter on set_ftrace_pid (locked down on some kernels: then every task is traced).
    if (pids.length > 0 && o.tracer !== undefined && /^function/.test(o.tracer) && a.instance.name === "") {
      await a.instance.setFtracePids(pids, undo);
      if (o.followChildren) await setOptionIfOff(a.instance, "function-fork", undo);
    }
  }
}

async function setOptionIfOff(inst: Instance, name: string, undo: UndoStack): Promise<void> {
  if (!inst.hasFile(`options/${name}`)) return;
  if ((await inst.readFile(`options/${name}`)).trim() !== "1") await inst.setOption(name, true, undo);
}
