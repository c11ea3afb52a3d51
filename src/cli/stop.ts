// `ftk stop`: turns tracing_on off (the configuration stays), like `trace-cmd stop` 3.1.6. It leaves
// tracing off on purpose; `ftk reset` or `ftk start` turns it back on.
import { UsageError } from "../base/index.js";
import { Tracefs } from "../tracefs/index.js";
import type { Instance } from "../tracefs/index.js";
import { parseOrderedArgs, type FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk stop [-B buf [-B buf]..] [-a] [-t]

Stops the tracer from recording more data (writes 0 to tracing_on); the settings stay.

  -B buf  stop instance buf (may be repeated)
  -a      stop all instances (and not the top level, unless -t)
  -t      also stop the top level (with -B or -a)
`;

/** The flags `run` parses (shell completion reads them too). */
const FLAGS: Record<string, FlagSpec> = {
  help: { type: "boolean", short: "h" }, B: { type: "string", short: "B" }, a: { type: "boolean", short: "a" },
  t: { type: "boolean", short: "t" },
};

/** Parses `[-B buf]... [-a] [-t]` and writes `on` to tracing_on of the buffers named (stop and restart). */
export async function setTracingOnOf(argv: string[], ctx: CliContext, on: boolean, name: string, help: string): Promise<number> {
  const { flags, positionals } = parseOrderedArgs(argv, FLAGS, name);
  if (flags.some((f) => f.name === "help")) { ctx.stdout.write(help); return 0; }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': run 'ftk ${name} --help'`);
  const names = flags.filter((f) => f.name === "B").map((f) => f.value!);
  const all = flags.some((f) => f.name === "a");
  const withTop = flags.some((f) => f.name === "t");
  const fs = await Tracefs.open();
  const targets: Instance[] = [];
  if ((names.length === 0 && !all) || withTop) targets.push(fs.topInstance());
  for (const n of all ? await fs.listInstances() : names) targets.push(fs.instance(n));
  for (const inst of targets) await inst.setTracingOn(on);
  return 0;
}

/** The flags of stop and restart. */
export const TRACING_ON_FLAGS = FLAGS;

/** Writes tracing_on = 0. */
export const command: Command = {
  summary: "stop recording into the trace buffers (tracing_on = 0)",
  flags: FLAGS,
  run: (argv: string[], ctx: CliContext): Promise<number> => setTracingOnOf(argv, ctx, false, "stop", HELP),
};
