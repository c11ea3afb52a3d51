// `ftk list`: what this kernel offers (events, formats, tracers, options, functions, instances, clocks) and
// the trace.dat compressions ftk writes; the output shapes follow `trace-cmd list` 3.1.6.
import { TextOutput, UsageError } from "../base/index.js";
import { Tracefs } from "../tracefs/index.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk list [-e [regex]][-F][--full][-R][-l][-t][-o][-f [regex]][-B][-C][-c][-O][-P]

Lists what the running kernel offers for tracing (everything when no option is given).

  -e [regex]  available events (system:event), only those matching regex
    -F        with -e: show each event's format
    --full    with -F: also show the print fmt
    -R        with -e: show each event's triggers
    -l        with -e: show each event's filter
  -t          available tracers
  -o          trace options ('no' prefix when off)
  -f [regex]  functions available to function filters
  -B          tracing instances
  -C          clocks (the current one in brackets)
  -c          compression algorithms ftk can write into trace.dat (besides 'none')
  -O          plugin options of report -O (as 'ftk options')
  -P          plugin files loaded: none (ftk's plugins are built in), so it prints nothing
`;

interface ListArgs {
  events: boolean; eventRe?: RegExp; format: boolean; full: boolean; triggers: boolean; filters: boolean;
  tracers: boolean; options: boolean; functions: boolean; functionRe?: RegExp; instances: boolean; clocks: boolean;
  compression: boolean; pluginOptions: boolean; pluginFiles: boolean;
}

function compileRegex(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch {
    throw new UsageError(`invalid regex '${text}'`);
  }
}

/** trace-cmd style parsing: -e and -f take an optional regex when the next word is not an option. */
function parseListArgs(argv: string[]): ListArgs | "help" {
  const a: ListArgs = {
    events: false, format: false, full: false, triggers: false, filters: false, tracers: false, options: false,
    functions: false, instances: false, clocks: false, compression: false, pluginOptions: false, pluginFiles: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const optional = (): string | undefined => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("-")) return undefined;
      i++;
      return next;
    };
    switch (arg) {
      case "-h": case "--help": return "help";
      case "-e": { a.events = true; const re = optional(); if (re !== undefined) a.eventRe = compileRegex(re); break; }
      case "-f": { a.functions = true; const re = optional(); if (re !== undefined) a.functionRe = compileRegex(re); break; }
      case "-F": a.format = true; break;
      case "--full": a.full = true; break;
      case "-R": a.triggers = true; break;
      case "-l": a.filters = true; break;
      case "-t": a.tracers = true; break;
      case "-o": a.options = true; break;
      case "-B": a.instances = true; break;
      case "-C": a.clocks = true; break;
      case "-c": a.compression = true; break;
      case "-O": a.pluginOptions = true; break;
      case "-P": a.pluginFiles = true; break;
      default:
        throw new UsageError(arg.startsWith("-") ? `unknown option '${arg}': run 'ftk list --help'` : `unexpected argument '${arg}': run 'ftk list --help'`);
    }
  }
  if ((a.format || a.triggers || a.filters) && !a.events) a.events = true;
  return a;
}

/** The event's format file up to the print fmt line (trace-cmd `list -F`), or whole with --full. */
function formatText(format: string, full: boolean): string {
  if (full) return format.endsWith("\n") ? format : format + "\n";
  const cut = format.indexOf("\nprint fmt:");
  return cut >= 0 ? format.slice(0, cut + 1) : format;
}

/** Algorithms the trace.dat writer supports here, as "name, version" like trace-cmd's list -c. */
async function compressionLines(): Promise<string[]> {
  // Loaded here: the rest of list needs no trace.dat code.
  const { availableCompressions } = await import("../tracedat/index.js");
  return (await availableCompressions()).map((c) => `\t${c.name}, ${c.version}`);
}

async function listEvents(fs: Tracefs, a: ListArgs, out: string[]): Promise<void> {
  const all = await fs.availableEvents();
  const top = fs.topInstance();
  for (const { system, event } of all) {
    const name = `${system}:${event}`;
    if (a.eventRe && !a.eventRe.test(name)) continue;
    if (a.format) {
      const format = await fs.findFile(`events/${system}/${event}/format`);
      if (format !== undefined) out.push(`system: ${system}\n${formatText(format, a.full)}`);
      continue;
    }
    out.push(name + "\n");
    if (a.triggers) out.push(((await top.findFile(`events/${system}/${event}/trigger`)) ?? "") + "\n");
    if (a.filters) out.push(((await top.findFile(`events/${system}/${event}/filter`)) ?? "") + "\n");
  }
}

/** Writes the whole listing; a closed pipe (`ftk list | head`) is not an error. */
async function emit(ctx: CliContext, text: string): Promise<void> {
  const out = new TextOutput(ctx.stdoutSink);
  out.write(text);
  await out.flush();
}

async function optionLines(fs: Tracefs): Promise<string> {
  return [...(await fs.topInstance().options())].map(([name, on]) => (on ? name : `no${name}`) + "\n").join("");
}

/** Lists events, tracers, options, functions, instances, clocks or compressions. */
export const command: Command = {
  summary: "list events, tracers, options, functions, instances, clocks and compressions",
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const a = parseListArgs(argv);
    if (a === "help") {
      ctx.stdout.write(HELP);
      return 0;
    }
    const plugins = a.pluginOptions ? (await import("./options.js")).pluginOptionsText() : "";
    if (a.pluginOptions || a.pluginFiles) {
      // Nothing else asked: no tracefs (nor root) needed.
      if (!a.events && !a.tracers && !a.options && !a.functions && !a.instances && !a.clocks && !a.compression) {
        await emit(ctx, plugins);
        return 0;
      }
    }
    const nothing = !a.events && !a.tracers && !a.options && !a.functions && !a.instances && !a.clocks && !a.compression;
    const out: string[] = [];
    if (!nothing && !a.events && !a.tracers && !a.options && !a.functions && !a.instances && !a.clocks) {
      // only -c: no tracefs (nor root) needed
      ctx.stdout.write(["Supported compression algorithms:", ...(await compressionLines())].join("\n") + "\n");
      return 0;
    }
    const fs = await Tracefs.open();
    if (nothing) {
      out.push("event systems:\n", ...(await fs.eventSystems()).map((s) => s + "\n"), "\n");
      out.push("events:\n");
      await listEvents(fs, a, out);
      out.push("\ntracers:\n", (await fs.availableTracers()).join(" ") + "\n");
      out.push("\noptions:\n", await optionLines(fs));
      out.push("Supported compression algorithms:\n", ...(await compressionLines()).map((l) => l + "\n"));
      await emit(ctx, out.join(""));
      return 0;
    }
    if (a.events) await listEvents(fs, a, out);
    if (a.tracers) out.push((await fs.availableTracers()).join(" ") + "\n");
    if (a.options) out.push(await optionLines(fs));
    if (a.functions) {
      const funcs = await fs.availableFilterFunctions();
      for (const f of funcs) if (!a.functionRe || a.functionRe.test(f)) out.push(f + "\n");
    }
    out.push(plugins);
    if (a.instances) {
      const names = await fs.listInstances();
      out.push(names.length === 0 ? "No buffer instances defined\n" : names.map((n) => n + "\n").join(""));
    }
    if (a.clocks) out.push((await fs.readFile("trace_clock")).replace(/\n*$/, "\n"));
    if (a.compression) out.push("Supported compression algorithms:\n", ...(await compressionLines()).map((l) => l + "\n"));
    await emit(ctx, out.join(""));
    return 0;
  },
};
