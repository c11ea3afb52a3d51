// From flags to a checked plan (style.md §4 "Kernel state"): everything that can fail is looked up here,
// before the first write to tracefs — events, tracer, clocks, options, filter fields, probes, the
// command and the output directory.
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { basename, delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { FtkError, TraceFileError, TracefsError, UsageError, describeErrno } from "../base/index.js";
import { findBlockCompressor } from "../tracedat/index.js";
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
  /** Events that -v switches off after the enables. */
  disables: PlannedEnable[];
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
  /** The shell that holds the command before exec (record/command.ts). */
  shellPath?: string;
  /** --user: who runs the command. */
  user?: { uid: number; gid: number };
  /** -r: util-linux chrt, which gives the recorder its real-time priority. */
  chrtPath?: string;
  /** Where the per-CPU temporary files go: `<base>.cpuN` (--temp, or beside the output). */
  tempBase: string;
}

/** Looks a user up in /etc/passwd by name or uid. */
export function lookupUser(user: string, passwd = "/etc/passwd"): { uid: number; gid: number } | undefined {
  let text = "";
  try {
    text = readFileSync(passwd, "latin1");
  } catch {
    // no passwd file: only numeric uids
  }
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length >= 4 && (f[0] === user || f[2] === user)) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return /^\d+$/.test(user) ? { uid: Number(user), gid: Number(user) } : undefined;
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

/** Why `dir` refused a new file, in words that fit (root is refused only by special or read-only file systems). */
function refusal(e: unknown, dir: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "EROFS") return `'${dir}' is on a read-only file system: choose another place with -o`;
  if (code === "ENOSPC") return `no space left on the device of '${dir}'`;
  if (code === "EACCES" || code === "EPERM") {
    return process.getuid?.() === 0
      ? `the file system of '${dir}' does not accept new files (a kernel file system?): choose another place with -o`
      : `permission denied in '${dir}': choose a writable directory with -o`;
  }
  return describeErrno(e);
}

/**
 * Checks before tracing starts that `output` (and its temp files beside it) can be written, by creating
 * it (an existing file is opened without truncating). Throws TraceFileError (exit 1) naming the user's path.
 */
export function checkOutput(output: string): void {
  const dir = dirname(isAbsolute(output) ? output : resolve(output));
  const fail = (why: string, cause?: unknown): never => {
    throw new TraceFileError(`cannot write '${output}': ${why}`, { path: output, code: "output", cause });
  };
  if (!existsSync(dir)) fail(`directory '${dir}' does not exist`);
  if (existsSync(output) && statSync(output).isDirectory()) fail("it is a directory");
  const existed = existsSync(output);
  try {
    closeSync(openSync(output, "a"));
  } catch (e) {
    fail(refusal(e, dir), e);
  }
  if (!existed) unlinkSync(output);
}

async function planEvents(
  fs: Tracefs,
  req: InstanceRequest,
  o: RecordOptions,
  warn: (line: string) => void,
): Promise<{ events: PlannedEvent[]; enables: PlannedEnable[]; disables: PlannedEnable[] }> {
  const events: PlannedEvent[] = [];
  const enables: PlannedEnable[] = [];
  const disables: PlannedEnable[] = [];
  // available_events takes ~5-10 ms to generate: an exact `system:event` is looked up by its directory.
  let available: { system: string; event: string }[] | undefined;
  const all = async () => (available ??= await fs.availableEvents());
  for (const ev of req.events) {
    let matched: { system: string; event: string }[];
    const exact = /^([\w-]+):([\w-]+)$/.exec(ev.spec);
    try {
      // Only enable-able events are listed in available_events (not ftrace's own): the enable file says so.
      if (exact !== null && fs.hasFile(`events/${exact[1]}/${exact[2]}/enable`)) matched = [{ system: exact[1]!, event: exact[2]! }];
      else matched = await fs.matchEvents(ev.spec, await all());
    } catch (e) {
      if (o.ignoreMissing && e instanceof TracefsError && e.code === "ENOENT") {
        warn(`event '${ev.spec}' does not exist: ignored (-i)`);
        continue;
      }
      throw e;
    }
    const isSystem = !ev.spec.includes(":") && !/[*?[]/.test(ev.spec) && (await all()).some((e) => e.system === ev.spec);
    if (ev.negate) {
      disables.push(...(isSystem ? [{ system: ev.spec }] : matched.map((m) => ({ system: m.system, event: m.event }))));
      continue;
    }
    if (ev.spec === "all" || ev.spec === "*" || ev.spec === "*:*") enables.push(...[...new Set(matched.map((m) => m.system))].map((system) => ({ system })));
    else if (isSystem) enables.push({ system: ev.spec });
    else for (const m of matched) enables.push({ system: m.system, event: m.event });
    for (const m of matched) events.push({ system: m.system, event: m.event, filter: ev.filter, triggers: ev.triggers });
    if (ev.filter !== undefined) await checkFilter(fs, ev.spec, ev.filter, matched);
  }
  // What -v switches off is not recorded (its format is not stored).
  const off = (e: { system: string; event: string }) => disables.some((d) => d.system === e.system && (d.event === undefined || d.event === e.event));
  return { events: events.filter((e) => !off(e)), enables, disables };
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

/** Events trace-cmd record --profile adds when the kernel has them; the first two also get stack traces. */
const PROFILE_STACK_EVENTS = ["sched:sched_switch", "sched:sched_wakeup"];
const PROFILE_EVENTS = [
  "exceptions:page_fault_user", "irq:irq_handler_entry", "irq:irq_handler_exit", "irq:softirq_entry",
  "irq:softirq_exit", "irq:softirq_raise", "sched:sched_process_exec", "raw_syscalls",
];

/**
 * record --profile (trace-cmd 3.1.6's choices): function_graph at depth 1 when the kernel has it (user
 * and kernel time), a stacktrace trigger on sched_switch and sched_wakeup (the stacktrace option where
 * triggers are missing), and the irq, page-fault, exec and syscall events that exist.
 */
export async function withProfileDefaults(fs: Tracefs, o: RecordOptions, warn: (line: string) => void): Promise<RecordOptions> {
  const top = { ...o.instances[0]!, events: [...o.instances[0]!.events], options: [...o.instances[0]!.options] };
  const out: RecordOptions = { ...o, instances: [top, ...o.instances.slice(1)] };
  const topInst = fs.topInstance();
  if (o.tracer === undefined) {
    if ((await fs.availableTracers()).includes("function_graph") && topInst.hasFile("max_graph_depth")) {
      out.tracer = "function_graph";
      out.maxGraphDepth = 1;
    } else {
      warn("function_graph is not available on this kernel: user and kernel time are not profiled");
    }
  }
  const triggers = topInst.hasFile("events/sched/sched_switch/trigger");
  if (!triggers) top.options.push({ name: "stacktrace", on: true });
  const has = (spec: string) => topInst.hasFile(`events/${spec.replace(":", "/")}`);
  for (const spec of PROFILE_STACK_EVENTS) {
    if (!has(spec)) continue;
    const given = top.events.find((e) => e.spec === spec && !e.negate);
    if (given === undefined) top.events.push({ spec, triggers: triggers ? ["stacktrace"] : [] });
    else if (triggers && !given.triggers.some((t) => t.startsWith("stacktrace"))) given.triggers = [...given.triggers, "stacktrace"];
  }
  for (const spec of PROFILE_EVENTS) if (has(spec) && !top.events.some((e) => e.spec === spec)) top.events.push({ spec, triggers: [] });
  return out;
}

/**
 * Checks every flag against this kernel and returns the plan; throws (UsageError, TracefsError,
 * ProbeError) before anything is changed.
 */
export async function planRecording(
  fs: Tracefs,
  o: RecordOptions,
  warn: (line: string) => void = () => {},
  check: { needsOutput?: boolean; needsEvents?: boolean } = {},
): Promise<RecordPlan> {
  if (o.profile) o = await withProfileDefaults(fs, o, warn);
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
  probes.push(...(o.probeDefinitions ?? []));

  const { available } = await top.traceClock();
  // options/ is ~40 files: read only when an option is asked for.
  let topOptions: Map<string, boolean> | undefined;
  const instances: PlannedInstance[] = [];
  for (const req of o.instances) {
    const isTop = req.name === "";
    const clock = req.clock ?? (isTop ? undefined : o.instances[0]!.clock);
    if (clock !== undefined && !available.includes(clock)) {
      throw new UsageError(`clock '${clock}' is not available on this kernel (available: ${available.join(" ")})`);
    }
    const exists = isTop || fs.hasInstance(req.name);
    const optionNames = req.options.length === 0 ? new Map<string, boolean>() : exists && !isTop ? await fs.instance(req.name).options() : (topOptions ??= await top.options());
    for (const opt of req.options) {
      if (!optionNames.has(opt.name)) {
        throw new UsageError(`option '${opt.name}' is not available on this kernel (see 'ftk list -o')`);
      }
    }
    const { events, enables, disables } = await planEvents(fs, req, o, warn);
    if (isTop) {
      for (const p of probes) {
        if (p.append === true) continue;
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
      disables,
      options: req.options,
      clock,
      bufferSizeKb: req.bufferSizeKb,
      cpumask: req.cpumask,
    });
  }
  if ((check.needsEvents ?? true) && instances.every((i) => i.events.length === 0) && tracer === undefined && o.instances.every((i) => i.events.length === 0)) {
    throw new UsageError("nothing to record: give events with -e (for example -e sched) or a tracer with -p");
  }
  if (o.commandOnly && o.noFilter) throw new UsageError("-F and --no-filter contradict each other");

  let commandPath: string | undefined;
  let shellPath: string | undefined;
  if (o.command.length > 0) {
    commandPath = findInPath(o.command[0]!);
    if (commandPath === undefined) throw new UsageError(`cannot run '${o.command[0]}': command not found`);
    shellPath = existsSync("/bin/sh") ? "/bin/sh" : findInPath("sh");
    if (shellPath === undefined) throw new UsageError("cannot start the command: no '/bin/sh' to hold it before exec");
  }
  for (const pid of o.pids) {
    if (!existsSync(`/proc/${pid}`)) throw new UsageError(`-P ${pid}: no such process`);
  }
  let user: RecordPlan["user"];
  if (o.user !== undefined) {
    user = lookupUser(o.user);
    if (user === undefined) throw new UsageError(`--user: no user '${o.user}' (see /etc/passwd)`);
  }
  let chrtPath: string | undefined;
  if (o.priority !== undefined) {
    chrtPath = findInPath("chrt");
    if (chrtPath === undefined) throw new UsageError("-r needs 'chrt' (util-linux), which is not installed");
  }
  const tempBase = o.tempDir === undefined ? o.output : join(o.tempDir, basename(o.output));
  if (check.needsOutput ?? true) {
    checkOutput(o.output);
    if (o.tempDir !== undefined) checkOutput(tempBase + ".cpu0");
    o = await checkCompression(o, warn);
  }
  return { options: o, instances, probes, commandPath, shellPath, user, chrtPath, tempBase };
}

/**
 * zstd needs a codec (node:zlib's, or WebAssembly): without one a default recording is written without
 * compression, saying so once (trace-cmd 3.1.6 from Debian cannot read zlib), and `--compression zstd` fails.
 */
async function checkCompression(o: RecordOptions, warn: (line: string) => void): Promise<RecordOptions> {
  if (o.compression !== "zstd") return o;
  try {
    await findBlockCompressor("zstd");
    return o;
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    if (o.compressionGiven) {
      throw new FtkError(`--compression zstd: no zstd codec works here (${why}): give --compression none or zlib`, { code: "no-zstd", cause: e });
    }
    warn(`zstd is not available here (${why}): writing the file without compression`);
    return { ...o, compression: "none" };
  }
}
