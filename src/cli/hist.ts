// `ftk hist`: the call sites of a trace.dat as trees of callers, like trace-cmd 3.1.6 `hist`.
import { TextOutput, UsageError } from "../base/index.js";
import { readCallSites } from "../model/index.js";
import { writeCallSites } from "../report/index.js";
import { openTrace } from "../tracedat/index.js";
import { parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk hist [-i file] [-P] [file]

Prints a histogram of call sites, as trace-cmd hist does: for each function (or event) that ended a
call stack, how often, and the callers it was reached from as a tree, with each branch's share. The
stacks come from function_graph or function records, and from kernel_stack records after events.
Each CPU is read to its end in turn; a file with instances is counted per instance.

  -i FILE     input file (default trace.dat)
  -P          all tasks in one tree ("<all pids>") instead of one tree per task
  -h, --help  this help
`;

const FLAGS: Record<string, FlagSpec> = {
  i: { type: "string", short: "i" },
  P: { type: "boolean", short: "P" },
  help: { type: "boolean", short: "h" },
};

/** Prints the call-site histogram of a trace.dat. */
export const command: Command = {
  summary: "histogram of call sites in a trace.dat (trace-cmd hist)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "hist");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    const inputs = flags.filter((f) => f.name === "i");
    if (inputs.length > 1) throw new UsageError("hist reads one file: give -i once");
    if (positionals.length > (inputs.length > 0 ? 0 : 1)) throw new UsageError(`unexpected argument '${positionals[inputs.length > 0 ? 0 : 1]}': run 'ftk hist --help'`);
    const path = inputs[0]?.value ?? positionals[0] ?? "trace.dat";
    const trace = await openTrace(path);
    const out = new TextOutput(ctx.stdoutSink);
    try {
      const histograms = await readCallSites(trace, { compact: flags.some((f) => f.name === "P") });
      for (let i = 0; i < histograms.length; i++) {
        // trace-cmd runs instances one after another without a break (and repeats the earlier ones).
        if (i > 0) out.write("\n");
        await writeCallSites(histograms[i]!, out);
      }
      await out.flush();
    } finally {
      await trace.close();
    }
    return 0;
  },
};
