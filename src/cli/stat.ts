// `ftk stat`: the tracing state of the top level or of instances, in the shape of `trace-cmd stat` 3.1.6,
// plus the options that differ from the kernel defaults.
import { TextOutput, UsageError } from "../base/index.js";
import { Tracefs, defaultOptionValue, fullCpumask, readEventFiles } from "../tracefs/index.js";
import type { Instance } from "../tracefs/index.js";
import { parseOrderedArgs, type FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk stat [-B buf][-t][-o]

Shows what is configured for tracing: tracer, enabled events, filters, triggers, buffer sizes, clock,
cpumask, dynamic events, pid filters, options that differ from the defaults, tracing on/off, instances,
and the contents of the hist file of every event with a hist trigger.

  -B buf  show the status of instance buf (may be repeated)
  -t      also show the top level (with -B)
  -o      list all trace options
`;

/** Indents every line of text by three spaces (trace-cmd's report_probes shape). */
function indentLines(text: string): string {
  return text.split("\n").map((l) => `   ${l}`).join("\n");
}

async function eventsSection(fs: Tracefs, inst: Instance): Promise<string> {
  const all = (await inst.findFile("events/enable"))?.trim();
  if (all === undefined) return "";
  let out = "\nEvents:\n";
  if (all.startsWith("1")) return out + " All enabled\n";
  if (all.startsWith("0")) return out + " All disabled\n";
  const systems = await fs.eventSystems();
  const systemEnable = new Map<string, string>();
  for (const s of systems) systemEnable.set(s, ((await inst.findFile(`events/${s}/enable`)) ?? "").trim());
  const full = systems.filter((s) => systemEnable.get(s)!.startsWith("1"));
  if (full.length > 0) out += " Individual systems:\n" + full.map((s) => `   ${s}\n`).join("");
  const partial = new Set(systems.filter((s) => { const v = systemEnable.get(s)!; return v !== "" && !v.startsWith("0") && !v.startsWith("1"); }));
  let shown = full.length > 0;
  if (partial.size > 0) {
    const enables = await readEventFiles(fs, inst.name, ["enable"]);
    let header = false;
    let lastSystem = "";
    for (const e of enables) {
      if (!partial.has(e.system) || !(e.values[0] ?? "").startsWith("1")) continue;
      if (!header) { out += " Individual events:\n"; header = true; }
      if (e.system !== lastSystem) { out += `    ${e.system}\n`; lastSystem = e.system; }
      out += `        ${e.event}\n`;
      shown = true;
    }
  }
  if (!shown) out += "  (none enabled)\n";
  return out;
}

async function filtersAndTriggers(fs: Tracefs, inst: Instance): Promise<string> {
  const files = await readEventFiles(fs, inst.name, ["filter", "trigger"]);
  let filters = "";
  let triggers = "";
  let histograms = "";
  for (const e of files) {
    const [filter, trigger] = e.values;
    if (filter !== undefined && filter !== "none" && filter !== "") filters += `  ${e.system}:${e.event} "${filter}"\n`;
    if (trigger) triggers += `  ${e.system}:${e.event} "${trigger}"\n`;
    // trace-cmd stat lists hist triggers but not their counts; ftk also shows the histogram itself.
    if (trigger?.includes("hist:")) {
      const hist = await inst.findFile(`events/${e.system}/${e.event}/hist`).catch(() => undefined);
      if (hist) histograms += `\nHistogram ${e.system}:${e.event}:\n${hist.endsWith("\n") ? hist : hist + "\n"}`;
    }
  }
  return (filters ? "\nFilters:\n" + filters : "") + (triggers ? "\nTriggers:\n" + triggers : "") + histograms;
}

/** A control file shown with its description when it has a non-default value (unreadable files are skipped). */
async function fileLine(inst: Instance, file: string, defaultValue: string, description: string): Promise<string> {
  const text = await inst.findFile(file).catch(() => undefined);
  const v = text?.trim();
  return v && v !== defaultValue ? `\n${description}${v}\n` : "";
}

async function functionList(inst: Instance, file: string, title: string): Promise<string> {
  const text = await inst.findFile(file).catch(() => undefined);
  const lines = (text ?? "").split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  return lines.length > 0 ? `\n${title}:\n` + lines.map((l) => `   ${l}\n`).join("") : "";
}

async function statInstance(fs: Tracefs, inst: Instance, allOptions: boolean): Promise<string> {
  const top = inst.name === "";
  let out = "";
  out += await fileLine(inst, "current_tracer", "nop", "Tracer: ");
  out += await eventsSection(fs, inst);
  out += await filtersAndTriggers(fs, inst);
  out += await functionList(inst, "set_ftrace_filter", "Function Filter");
  out += await functionList(inst, "set_ftrace_notrace", "Function No Trace");
  out += await functionList(inst, "set_graph_function", "Function Graph Filter");
  out += await functionList(inst, "set_graph_notrace", "Function Graph No Trace");
  const size = (await inst.findFile("buffer_size_kb"))?.trim();
  if (size !== undefined && !size.includes("expanded")) {
    if (size !== "X") out += `\nBuffer size in kilobytes (per cpu):\n   ${size}\n`;
    else for (let cpu = 0; cpu < inst.cpuCount(); cpu++) {
      out += `${cpu === 0 ? "\n" : ""}CPU ${cpu} buffer size (kb): ${((await inst.findFile(`per_cpu/cpu${cpu}/buffer_size_kb`)) ?? "").trim()}\n`;
    }
    const total = (await inst.findFile("buffer_total_size_kb"))?.trim();
    if (total !== undefined) out += `\nBuffer total size in kilobytes:\n   ${total}\n`;
  }
  const clock = (await inst.traceClock()).current;
  if (clock !== "local") out += `\nClock: ${clock}\n`;
  const mask = (await inst.findFile("tracing_cpumask"))?.trim();
  if (mask !== undefined && mask !== fullCpumask(inst.cpuCount())) out += `\nCPU mask: ${mask}\n`;
  out += await fileLine(inst, "tracing_max_latency", "0", "Max Latency: ");
  for (const [file, title] of [["kprobe_events", "Kprobe events"], ["uprobe_events", "Uprobe events"], ["synthetic_events", "Synthetic events"]] as const) {
    const text = (await inst.findFile(file).catch(() => undefined))?.trim();
    if (text) out += `\n${title}:\n${indentLines(text)}\n`;
  }
  out += await fileLine(inst, "set_event_pid", "", "Filtered event PIDs:\n");
  out += await fileLine(inst, "set_event_notrace_pid", "", "Filtered notrace event PIDs:\n");
  out += await fileLine(inst, "set_ftrace_pid", "no pid", "Filtered function tracer PIDs:\n");
  out += await fileLine(inst, "set_ftrace_notrace_pid", "no pid", "Filtered function tracer notrace PIDs:\n");
  const options = await inst.options();
  if (allOptions) {
    out += "\nOptions:\n" + [...options].map(([n, on]) => `   ${on ? n : "no" + n}\n`).join("");
  } else {
    const changed = [...options].filter(([n, on]) => on !== defaultOptionValue(n, top));
    if (changed.length > 0) out += "\nOptions changed from default:\n" + changed.map(([n, on]) => `   ${on ? n : "no" + n}\n`).join("");
  }
  out += (await inst.tracingOn()) ? "\nTracing is enabled\n\n" : "\nTracing is disabled\n\n";
  out += await fileLine(inst, "error_log", "", "Error log:\n");
  if (top) {
    const names = await fs.listInstances();
    if (names.length > 0) out += "\nInstances:\n" + names.map((n) => ` ${n}\n`).join("");
  }
  return out;
}

/** The flags `run` parses (shell completion reads them too). */
const FLAGS: Record<string, FlagSpec> = {
  help: { type: "boolean", short: "h" }, B: { type: "string", short: "B" }, t: { type: "boolean", short: "t" },
  o: { type: "boolean", short: "o" },
};

/** Shows the tracing state. */
export const command: Command = {
  summary: "show the tracing state (tracer, events, filters, buffers, options, instances)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "stat");
    if (flags.some((f) => f.name === "help")) { ctx.stdout.write(HELP); return 0; }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': run 'ftk stat --help'`);
    const names = flags.filter((f) => f.name === "B").map((f) => f.value!);
    const withTop = flags.some((f) => f.name === "t");
    const allOptions = flags.some((f) => f.name === "o");
    const fs = await Tracefs.open();
    const targets: Instance[] = names.map((n) => fs.instance(n));
    if (names.length === 0 || withTop) targets.unshift(fs.topInstance());
    let out = "";
    for (let k = 0; k < targets.length; k++) {
      const inst = targets[k]!;
      if (inst.name !== "") {
        if (k > 0) out += "---------------\n";
        out += `Instance: ${inst.name}\n`;
      }
      out += await statInstance(fs, inst, allOptions);
    }
    const text = new TextOutput(ctx.stdoutSink); // EPIPE (`ftk stat | head`) is not an error
    text.write(out);
    await text.flush();
    return 0;
  },
};
