// From flags to a checked plan (style.md §4 "Kernel state"): everything that can fail is looked up here,
// before the first write to tracefs — events, tracer, clocks, options, filter fields, probes, the
// command and the output directory.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { TracefsError, UsageError } from "../base/index.js";
import type { Tracefs } from "../tracefs/index.js";
import { planUfuncgraph, resolveProbeSpec } from "../probes/index.js";
import type { ProbeDefinition } from "../probes/index.js";
import type { InstanceRequest, RecordOptions } from "./options.js";
import { checkSampleRate } from "./profile.js";

/** One event to enable, with its filter and triggers. */
export interface PlannedEvent {
  system: string;
  event: string;
  filter?: string;
  triggers: string[];
}

/** What to enable as one write: a whole system, or one event. */
export interface PlannedEnable {
  system: string;
  event?: string;
}

/** One instance as it will be set up. */
export interface PlannedInstance {
  name: string;
  /** The instance does not exist yet: create it, remove it at the end. */
  create: boolean;
  /** Capture this instance's buffers (it has events or the tracer). */
  record: boolean;
  events: PlannedEvent[];
  enables: PlannedEnable[];
  options: { name: string; on: boolean }[];
  clock?: string;
  bufferSizeKb?: number;
  cpumask?: string;
}

/** A checked recording plan. */
export interface RecordPlan {
  options: RecordOptions;
  instances: PlannedInstance[];
  /** Probes to create for this recording (removed at the end). */
  probes: ProbeDefinition[];
  /** Absolute path of the command to run, when there is one. */
  commandPath?: string;
  /** Absolute path of util-linux flock, used to hold the command before exec. */
  flockPath?: string;
}

const FILTER_SPECIALS = new Set(["CPU", "COMM", "cpu", "comm"]);

/** The field names of a format file ("field:TYPE NAME;" lines). */
export function formatFieldNames(format: string): Set<string> {
  const names = new Set<string>();
  for (const m of format.matchAll(/^\s*field:[^;]*?([A-Za-z_]\w*)(\[[^\]]*\])?;/gm)) names.add(m[1]!);
  return names;
}

/** Identifiers a filter compares (left of an operator); string values in quotes are skipped. */
export function filterFieldNames(filter: string): string[] {
  const unquoted = filter.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const out: string[] = [];
  for (const m of unquoted.matchAll(/([A-Za-z_][\w]*)(\.[a-z]+)?\s*(==|!=|<=|>=|<|>|~|&)/g)) out.push(m[1]!);
  return out;
}

/** Finds a program like execvp would (PATH search), or undefined. */
export function findInPath(name: string, path = process.env["PATH"] ?? "/usr/bin:/bin"): string | undefined {
  const candidates = name.includes("/") ? [resolve(name)] : path.split(delimiter).filter((d) => d !== "").map((d) => join(d, name));
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) {
        accessSync(c, constants.X_OK);
        return c;
      }
    } catch {
      // not this one
    }
  }
  return undefined;
}

function checkOutput(output: string): void {
  const dir = dirname(isAbsolute(output) ? output : resolve(output));
  if (!existsSync(dir)) throw new UsageError(`cannot write '${output}': directory '${dir}' does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`cannot write '${output}': directory '${dir}' is not writable`);
  }
  if (existsSync(output) && statSync(output).isDirectory()) throw new UsageError(`cannot write '${output}': it is a directory`);
}

async function planEvents(
  fs: Tracefs,
  req: InstanceRequest,
  o: RecordOptions,
  warn: (line: string) => void,
): Promise<{ events: PlannedEvent[]; enables: PlannedEnable[] }> {
  const events: PlannedEvent[] = [];
  const enables: PlannedEnable[] = [];
  const systems = new Set((await fs.availableEvents()).map((e) => e.system));
  for (const ev of req.events) {
    let matched: { system: string; event: string }[];
    try {
      matched = await fs.matchEvents(ev.spec);
    } catch (e) {
      if (o.ignoreMissing && e instanceof TracefsError && e.code === "ENOENT") {
        warn(`event '${ev.spec}' does not exist: ignored (-i)`);
        continue;
      }
      throw e;
    }
    const isSystem = !ev.spec.includes(":") && !/[*?[]/.test(ev.spec) && systems.has(ev.spec);
    if (ev.spec === "all" || ev.spec === "*" || ev.spec === "*:*") enables.push(...[...new Set(matched.map((m) => m.system))].map((system) => ({ system })));
    else if (isSystem) enables.push({ system: ev.spec });
    else for (const m of matched) enables.push({ system: m.system, event: m.event });
    for (const m of matched) events.push({ system: m.system, event: m.event, filter: ev.filter, triggers: ev.triggers });
    if (ev.filter !== undefined) await checkFilter(fs, ev.spec, ev.filter, matched);
  }
  return { events, enables };
}

async function checkFilter(fs: Tracefs, spec: string, filter: string, matched: { system: string; event: string }[]): Promise<void> {
  const used = filterFieldNames(filter);
  if (used.length === 0 && !/^\s*\d+\s*$/.test(filter)) {
    throw new UsageError(`bad filter '${filter}' for '${spec}': expected FIELD OP VALUE (for example 'common_pid == 1')`);
  }
  for (const m of matched) {
    const fields = formatFieldNames(await fs.eventFormat(m.system, m.event));
    const missing = used.find((f) => !fields.has(f) && !FILTER_SPECIALS.has(f));
    if (missing !== undefined) {
      const own = [...fields].filter((f) => !f.startsWith("common_"));
      throw new UsageError(`bad filter '${filter}' for event '${m.system}:${m.event}': no field '${missing}' (fields: ${own.join(" ") || "none"})`);
    }
  }
}

/**
 * Checks every flag against this kernel and returns the plan; throws (UsageError, TracefsError,
 * ProbeError) before anything is changed.
 */
export async function planRecording(
  fs: Tracefs,
  o: RecordOptions,
  warn: (line: string) => void = () => {},
  check: { needsOutput?: boolean } = {},
): Promise<RecordPlan> {
  const probes: ProbeDefinition[] = [];
  checkSampleRate(o, warn);
  const top = fs.topInstance();
  let tracer = o.tracer;
  if (tracer === "ufuncgraph") {
    probes.push(...(await planUfuncgraph({ binary: o.ufuncgraphBinary!, globs: o.graphFunctions, pid: o.pids[0] })));
    tracer = undefined;
  } else if (tracer !== undefined && tracer !== "nop") {
    await fs.checkTracer(tracer);
  }
  if (o.graphFunctions.length > 0 || o.ftraceFilter.length > 0 || o.ftraceNotrace.length > 0) {
    if (o.tracer !== "ufuncgraph") {
      if (tracer === undefined) throw new UsageError("-g, -l and -n need a function tracer: add -p function or -p function_graph");
      await fs.checkFilterFunctions();
    }
  }
  if (o.maxGraphDepth !== undefined && tracer !== "function_graph") throw new UsageError("--max-graph-depth needs -p function_graph");
  for (const spec of o.uprobes) probes.push(...(await resolveProbeSpec(spec, { pid: o.pids[0] })));

  const { available } = await top.traceClock();
  const topOptions = await top.options();
  const instances: PlannedInstance[] = [];
  for (const req of o.instances) {
    const isTop = req.name === "";
    const clock = req.clock ?? (isTop ? undefined : o.instances[0]!.clock);
    if (clock !== undefined && !available.includes(clock)) {
      throw new UsageError(`clock '${clock}' is not available on this kernel (available: ${available.join(" ")})`);
    }
    const exists = isTop || fs.hasInstance(req.name);
    const optionNames = exists && !isTop ? await fs.instance(req.name).options() : topOptions;
    for (const opt of req.options) {
      if (!optionNames.has(opt.name)) {
        throw new UsageError(`option '${opt.name}' is not available on this kernel (see 'ftk list -o')`);
      }
    }
    const { events, enables } = await planEvents(fs, req, o, warn);
    if (isTop) {
      for (const p of probes) {
        events.push({ system: p.group, event: p.event, triggers: [] });
        enables.push({ system: p.group, event: p.event });
      }
    }
    const wantsTop = isTop && (o.instances.length === 1 || events.length > 0 || tracer !== undefined);
    instances.push({
      name: req.name,
      create: !exists,
      record: isTop ? wantsTop : true,
      events,
      enables,
      options: req.options,
      clock,
      bufferSizeKb: req.bufferSizeKb,
      cpumask: req.cpumask,
    });
  }
  if (instances.every((i) => i.events.length === 0) && tracer === undefined && o.instances.every((i) => i.events.length === 0)) {
    throw new UsageError("nothing to record: give events with -e (for example -e sched) or a tracer with -p");
  }
  if (o.commandOnly && o.noFilter) throw new UsageError("-F and --no-filter contradict each other");

  let commandPath: string | undefined;
  let flockPath: string | undefined;
  if (o.command.length > 0) {
    commandPath = findInPath(o.command[0]!);
    if (commandPath === undefined) throw new UsageError(`cannot run '${o.command[0]}': command not found`);
    flockPath = findInPath("flock");
    if (flockPath === undefined) throw new UsageError("cannot start the command: 'flock' (util-linux) is not installed");
  }
  for (const pid of o.pids) {
    if (!existsSync(`/proc/${pid}`)) throw new UsageError(`-P ${pid}: no such process`);
  }
  if (check.needsOutput ?? true) checkOutput(o.output);
  return { options: o, instances, probes, commandPath, flockPath };
}
