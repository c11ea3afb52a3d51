// `ftk flamegraph`: stacks of a trace.dat (on-CPU, off-CPU, or exact from call records) as folded text,
// an svg/html picture or speedscope JSON. The stacks come from the model; this file picks and writes.
import { writeFile } from "node:fs/promises";
import { FtkError, parseColorMode, useColor, UsageError, type ColorMode } from "../base/index.js";
import { buildFlameTree, flameGraphHtml, flameGraphSvg, foldStacks, foldedText, speedscopeJson, topFrames, topFramesText } from "../flamegraph/index.js";
import { openTrace } from "../tracedat/index.js";
import { readGraphStacks, readStacks } from "../model/index.js";
import type { FoldOptions } from "../flamegraph/index.js";
import type { StackKind, WeightedStack } from "../model/index.js";
import type { Symbolizer } from "../symbols/index.js";
import { parseIntegerFlag, parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk flamegraph [-i FILE] [--on-cpu | --off-cpu | --graph] [--pid PID | --comm NAME]
                      [--kernel-only | --user-only] [--format folded|svg|html|speedscope] [--count] [-o OUT]
       ftk flamegraph --top N [...]

Flame graph of the stacks a recording holds.
  --on-cpu       CPU time from 'ftk record --sample' (sched_stat_runtime with stacks)
  --off-cpu      time off the CPU, from each switch-out to the next switch-in ('ftk record --off-cpu')
  --graph        exact: self time of each call path from function_graph or ufuncgraph records
                 (without one of the three: what the file holds, in that order)
  --pid PID      only this process;  --comm NAME  only threads of this name
  --kernel-only, --user-only   only kernel or only user frames
  --format F     folded (default; "frame;frame weight" lines, root first), svg, html, speedscope;
                 -o FILE.svg/.html/.json picks it too
  --count        weigh by samples instead of nanoseconds
  --title TEXT   title of the svg/html picture
  --top N        instead of the graph, a table of the N frames with the most self time (self and
                 total time of each, as perf report shows them)
  --color WHEN   colour the --top table: auto (on a terminal, unless NO_COLOR is set), always or never
  -i FILE        input (default trace.dat);  -o OUT  output (default stdout)
`;

/** Flags of `ftk flamegraph` (parsed with this table). */
export const FLAGS: Record<string, FlagSpec> = {
  input: { type: "string", short: "i" },
  output: { type: "string", short: "o" },
  "on-cpu": { type: "boolean" },
  "off-cpu": { type: "boolean" },
  graph: { type: "boolean" },
  pid: { type: "string" },
  comm: { type: "string" },
  "kernel-only": { type: "boolean" },
  "user-only": { type: "boolean" },
  format: { type: "string" },
  count: { type: "boolean" },
  title: { type: "string" },
  top: { type: "string" },
  color: { type: "string" },
  help: { type: "boolean", short: "h" },
};

type Format = "folded" | "svg" | "html" | "speedscope";
const FORMATS: readonly Format[] = ["folded", "svg", "html", "speedscope"];

interface Args {
  input: string;
  output?: string;
  mode?: StackKind;
  pid?: number;
  comm?: string;
  only?: "kernel" | "user";
  format: Format;
  count: boolean;
  title?: string;
  /** --top N: the table of frames instead of the graph. */
  top?: number;
  color: ColorMode;
  help: boolean;
}

/** Parses the flags; throws UsageError for bad ones. */
export function parseFlamegraphArgs(argv: string[]): Args {
  const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "flamegraph");
  const a: Args = { input: "trace.dat", format: "folded", count: false, color: "auto", help: false };
  let format: string | undefined;
  const modes = new Set<StackKind>();
  for (const { name, value } of flags) {
    if (name === "input") a.input = value!;
    else if (name === "output") a.output = value!;
    else if (name === "on-cpu") modes.add("on-cpu");
    else if (name === "off-cpu") modes.add("off-cpu");
    else if (name === "graph") modes.add("graph");
    else if (name === "pid") a.pid = parseIntegerFlag(value, "--pid");
    else if (name === "comm") a.comm = value!;
    else if (name === "kernel-only") a.only = a.only === "user" ? bothOnly() : "kernel";
    else if (name === "user-only") a.only = a.only === "kernel" ? bothOnly() : "user";
    else if (name === "format") format = value!;
    else if (name === "count") a.count = true;
    else if (name === "title") a.title = value!;
    else if (name === "top") {
      a.top = parseIntegerFlag(value, "--top");
      if (a.top <= 0) throw new UsageError(`bad value '${value}' for --top: give a positive number of rows`);
    } else if (name === "color") {
      const mode = parseColorMode(value);
      if (mode === undefined) throw new UsageError(`bad value '${value}' for --color: give auto, always or never`);
      a.color = mode;
    } else if (name === "help") a.help = true;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': give the input with -i FILE`);
  if (modes.size > 1) throw new UsageError("--on-cpu, --off-cpu and --graph choose one kind of stack: give one of them");
  a.mode = [...modes][0];
  if (a.pid !== undefined && a.comm !== undefined) throw new UsageError("--pid and --comm both filter: give one of them");
  if (format === undefined && a.output !== undefined) {
    const ext = /\.([a-z]+)$/i.exec(a.output)?.[1]?.toLowerCase();
    format = ext === "svg" ? "svg" : ext === "html" || ext === "htm" ? "html" : ext === "json" ? "speedscope" : undefined;
  }
  if (a.top !== undefined && format !== undefined) throw new UsageError("--top prints a table: give it without --format (or an -o name ending in .svg, .html or .json)");
  if (format !== undefined) {
    if (!FORMATS.includes(format as Format)) throw new UsageError(`unknown --format '${format}': give folded, svg, html or speedscope`);
    a.format = format as Format;
  }
  return a;
}

function bothOnly(): never {
  throw new UsageError("--kernel-only and --user-only exclude each other: give one of them");
}

function warnSymbols(ctx: CliContext, symbolizer: Symbolizer): void {
  for (const [path, why] of symbolizer.unreadable) {
    ctx.stderr.write(`ftk flamegraph: cannot read symbols of '${path}' (${why.split("\n")[0]}): its frames show as file+0xOFFSET\n`);
  }
  if (symbolizer.perfMapJunkLines > 0) ctx.stderr.write(`ftk flamegraph: skipped ${symbolizer.perfMapJunkLines} malformed perf map line(s)\n`);
}

const NO_STACKS: Record<StackKind | "any", string> = {
  "on-cpu": "no on-CPU stack samples: record them with 'ftk record --sample CMD'",
  "off-cpu": "no off-CPU stacks: record them with 'ftk record --off-cpu CMD'",
  graph: "no function_graph or ufuncgraph records: record them with 'ftk record -p function_graph -g FUNC' or 'ftk record -p ufuncgraph -x BINARY -g GLOB'",
  any: "no stacks: record them with 'ftk record --sample CMD' (on-CPU), 'ftk record --off-cpu CMD', or a function_graph/ufuncgraph recording for --graph",
};

/** Reads the stacks the flags ask for (or the first kind the file holds). */
async function chooseStacks(path: string, a: Args, ctx: CliContext): Promise<{ kind: StackKind; stacks: WeightedStack[] }> {
  const trace = await openTrace(path);
  try {
    if (a.mode !== "graph") {
      const kinds: StackKind[] = a.mode === undefined ? ["on-cpu", "off-cpu"] : [a.mode];
      const r = await readStacks(trace, { kinds });
      warnSymbols(ctx, r.symbolizer);
      const hasStacks = r.seen.kernelStacks + r.seen.userStacks > 0;
      for (const kind of kinds) {
        const stacks = r.stacks.filter((s) => s.kind === kind);
        if (hasStacks && stacks.length > 0) return { kind, stacks };
      }
      if (a.mode !== undefined) throw new FtkError(`${path}: ${NO_STACKS[a.mode]}`);
    }
    const g = await readGraphStacks(trace);
    if (g.stacks.length > 0) return { kind: "graph", stacks: g.stacks };
    throw new FtkError(`${path}: ${NO_STACKS[a.mode ?? "any"]}`);
  } finally {
    await trace.close();
  }
}

const KIND_TITLE: Record<StackKind, string> = { "on-cpu": "On-CPU", "off-cpu": "Off-CPU", graph: "Function graph (self time)" };

/** Runs `ftk flamegraph`. */
export async function runFlamegraph(argv: string[], ctx: CliContext): Promise<number> {
  const a = parseFlamegraphArgs(argv);
  if (a.help) {
    ctx.stdout.write(HELP);
    return 0;
  }
  const { kind, stacks: all } = await chooseStacks(a.input, a, ctx);
  const stacks = all.filter((s) => (a.pid === undefined || s.pid === a.pid) && (a.comm === undefined || s.comm === a.comm));
  if (stacks.length === 0) {
    const what = a.pid !== undefined ? `pid ${a.pid}` : `comm '${a.comm}'`;
    const known = [...new Set(all.map((s) => (a.pid !== undefined ? String(s.pid) : s.comm)))].slice(0, 8).join(", ");
    throw new FtkError(`${a.input}: no ${kind} stacks of ${what} (the file has stacks of: ${known})`);
  }
  const negative = stacks.filter((s) => s.weightNs < 0).length;
  if (negative > 0 && !a.count) {
    ctx.stderr.write(`ftk flamegraph: ${negative} call path(s) have children longer than the call (timestamps of CPUs that disagree): their negative self time is left out\n`);
  }
  const fold: FoldOptions = { only: a.only, weight: a.count ? "count" : "ns" };
  const folded = foldStacks(stacks, fold);
  const title = a.title ?? `${KIND_TITLE[kind]} flame graph: ${a.input}`;
  let text: string;
  if (a.top !== undefined) {
    const toFile = a.output !== undefined && a.output !== "-";
    const color = useColor(a.color, toFile ? {} : (ctx.stdout as { isTTY?: boolean }), ctx.env);
    text = topFramesText(topFrames(folded), { limit: a.top, unit: a.count ? "count" : "ns", color });
  } else if (a.format === "folded") text = foldedText(folded);
  else if (a.format === "speedscope") text = speedscopeJson(folded, { name: title, unit: a.count ? "none" : "nanoseconds" });
  else {
    const tree = buildFlameTree(folded, "all");
    const o = { title, unit: a.count ? ("count" as const) : ("ns" as const) };
    text = a.format === "svg" ? flameGraphSvg(tree, o) : flameGraphHtml(tree, o);
  }
  if (a.output === undefined || a.output === "-") ctx.stdout.write(text);
  else {
    try {
      await writeFile(a.output, text);
    } catch (e) {
      throw new FtkError(`cannot write '${a.output}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return 0;
}

/** Flame graphs of sampled, off-CPU or function-graph stacks. */
export const command: Command = {
  summary: "flame graph of on-CPU, off-CPU or function-graph stacks (folded, svg, html, speedscope)",
  flags: FLAGS,
  run: runFlamegraph,
};
