// Puts tracefs back to kernel defaults, like `trace-cmd reset` (tracefs-control.md §4 step 15 and §8), but
// by default for the top level AND every instance (instances removed), which is what a shared machine needs.
import { TracefsError } from "../base/index.js";
import type { Instance } from "./instance.js";
import { errnoOf } from "./io.js";
import { defaultOptionValue, fullCpumask } from "./options.js";
import { dynamicEventName, parseTraceClock } from "./parse.js";
import { readEventFiles } from "./state.js";
import type { Tracefs } from "./tracefs.js";

/** What `resetTracefs()` resets. With no fields: the top level and every instance, instances removed. */
export interface ResetOptions {
  /** Reset the top level (default: true unless instances are named). */
  top?: boolean;
  /** Instances to reset: "all", or names (default: "all"). */
  instances?: "all" | readonly string[];
  /** Remove the reset instances afterwards (default: true when nothing was named). */
  deleteInstances?: boolean;
  /** Keep dynamic events: true for all, or kinds ("uprobe", "kprobe", "eprobe", "synth"). */
  keepDynamicEvents?: boolean | readonly string[];
  /** New buffer_size_kb for every reset instance (default: left as is, as trace-cmd does). */
  bufferSizeKb?: number;
}

/** Kind of a dynamic_events line: p/r with a path:offset are uprobes, e eprobes, s synthetic, else kprobes. */
function dynamicEventKind(line: string): string {
  const t = line.trim();
  if (t.startsWith("e")) return "eprobe";
  if (t.startsWith("s")) return "synth";
  const loc = t.split(/\s+/)[1] ?? "";
  return /^\/.*:(0x)?[0-9a-fA-F]+/.test(loc) ? "uprobe" : "kprobe";
}

/** Runs one step, turning an expected failure into a warning (EPERM on locked-down function files is skipped). */
async function step(warnings: string[], what: string, fn: () => Promise<void>, quietCodes: readonly string[] = []): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const code = e instanceof TracefsError ? e.code : errnoOf(e);
    if (code !== undefined && quietCodes.includes(code)) return;
    warnings.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function writeIfDifferent(inst: Instance, file: string, want: string, normalize = (s: string) => s.trim()): Promise<void> {
  const now = await inst.findFile(file);
  if (now === undefined || normalize(now) === want) return;
  await inst.writeFile(file, want);
}

/** Resets one instance to kernel defaults (tracing_on is left off; the caller turns it on at the end). */
async function resetInstance(fs: Tracefs, inst: Instance, opts: ResetOptions, warnings: string[]): Promise<void> {
  const top = inst.name === "";
  const where = top ? "top level" : `instance '${inst.name}'`;
  await step(warnings, `${where}: tracing_on`, () => inst.writeFile("tracing_on", "0"));
  // Triggers first: enable_event/disable_event triggers keep events soft-enabled.
  const events = await readEventFiles(fs, inst.name, ["trigger", "filter"]);
  for (const e of events) {
    if (e.values[0]) await step(warnings, `${where}: triggers of '${e.system}:${e.event}'`, () => inst.clearEventTriggers(e.system, e.event));
  }
  await step(warnings, `${where}: events`, () => inst.writeFile("events/enable", "0"));
  for (const e of events) {
    const filter = e.values[1];
    if (filter !== undefined && filter !== "none") {
      await step(warnings, `${where}: filter of '${e.system}:${e.event}'`, () => inst.writeFile(`events/${e.system}/${e.event}/filter`, "0"));
    }
  }
  await step(warnings, `${where}: current_tracer`, () => writeIfDifferent(inst, "current_tracer", "nop"));
  for (const file of ["set_event_pid", "set_event_notrace_pid"]) {
    await step(warnings, `${where}: ${file}`, () => writeIfDifferent(inst, file, ""), ["ENOENT"]);
  }
  for (const file of ["set_ftrace_pid", "set_ftrace_notrace_pid", "set_ftrace_filter", "set_ftrace_notrace", "set_graph_function", "set_graph_notrace"]) {
    // Locked down on the reference kernel (EPERM): nothing can have been set there either.
    await step(warnings, `${where}: ${file}`, () => (inst.hasFile(file) ? inst.writeFile(file, "") : Promise.resolve()), ["EPERM", "EACCES", "ENOENT"]);
  }
  await step(warnings, `${where}: trace_clock`, () => writeIfDifferent(inst, "trace_clock", "local", (s) => parseTraceClock(s).current));
  await step(warnings, `${where}: options`, async () => {
    for (const [name, on] of await inst.options()) {
      const want = defaultOptionValue(name, top);
      if (on !== want) await step(warnings, `${where}: option '${name}'`, () => inst.writeFile(`options/${name}`, want ? "1" : "0"));
    }
  });
  await step(warnings, `${where}: tracing_cpumask`, () => writeIfDifferent(inst, "tracing_cpumask", fullCpumask(inst.cpuCount())));
  await step(warnings, `${where}: buffer_percent`, () => writeIfDifferent(inst, "buffer_percent", "50"), ["ENOENT"]);
  await step(warnings, `${where}: tracing_max_latency`, () => writeIfDifferent(inst, "tracing_max_latency", "0"), ["ENOENT"]);
  if (opts.bufferSizeKb !== undefined) {
    const kb = Math.max(1, Math.floor(opts.bufferSizeKb));
    await step(warnings, `${where}: buffer_size_kb`, () => inst.writeFile("buffer_size_kb", String(kb)));
  }
  await step(warnings, `${where}: trace`, () => inst.clearTrace());
}

/**
 * Resets tracefs to kernel defaults: tracing off while resetting, triggers, events, filters, tracer, pid and
 * function filters, clock, options, cpumask, buffer_percent; dynamic events removed (unless kept); instances
 * removed when asked; tracing_on back to 1. Returns one warning per setting that could not be reset.
 * @example
 * const warnings = await resetTracefs(await Tracefs.open()); // like `ftk reset`
 */
export async function resetTracefs(fs: Tracefs, opts: ResetOptions = {}): Promise<string[]> {
  const warnings: string[] = [];
  const named = opts.instances !== undefined && opts.instances !== "all";
  const existing = await fs.listInstances();
  const names = opts.instances === undefined || opts.instances === "all" ? existing : [...opts.instances];
  for (const n of names) if (!existing.includes(n)) throw new TracefsError(`instance '${n}' does not exist (see 'ftk list -B')`, { code: "ENOENT" });
  const doTop = opts.top ?? !named;
  const remove = opts.deleteInstances ?? (opts.instances === undefined && opts.top === undefined);
  const targets = names.map((n) => fs.instance(n));
  if (doTop) targets.unshift(fs.topInstance());
  for (const inst of targets) await resetInstance(fs, inst, opts, warnings);
  if (doTop && opts.keepDynamicEvents !== true) {
    const keep = Array.isArray(opts.keepDynamicEvents) ? opts.keepDynamicEvents : [];
    for (const line of await fs.listDynamicEvents()) {
      const name = dynamicEventName(line);
      if (name === undefined || keep.includes(dynamicEventKind(line))) continue;
      await step(warnings, `dynamic event '${name}'`, async () => {
        // Enabled in an instance we did not reset? Disable it everywhere it is on first.
        await fs.writeFile(`events/${name}/enable`, "0").catch(() => undefined);
        await fs.removeDynamicEvent(name);
      });
    }
  }
  if (doTop) await step(warnings, "error_log", () => fs.writeFile("error_log", ""), ["ENOENT"]);
  if (remove) for (const n of names) await step(warnings, `instance '${n}'`, () => fs.removeInstance(n));
  for (const inst of targets) {
    if (remove && inst.name !== "") continue;
    await step(warnings, `${inst.name === "" ? "top level" : `instance '${inst.name}'`}: tracing_on`, () => inst.writeFile("tracing_on", "1"));
  }
  return warnings;
}
