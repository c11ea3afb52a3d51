// `ftk dump`: the structure of a trace.dat as `trace-cmd dump` summarises it.
import { UsageError, dumpSummary } from "../index.js";
import { parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk dump [-i file] [--summary] [file]

Prints the structure of a trace.dat as trace-cmd dump's summary does: the initial format, the sizes of
the metadata blocks, the options and, for version 7, the buffers and sections.

  -i FILE     input file (default trace.dat)
  --summary   the summary (the default, and the only view ftk prints so far)
  -h, --help  this help
`;

const FLAGS: Record<string, FlagSpec> = { i: { type: "string", short: "i" }, summary: { type: "boolean" }, help: { type: "boolean", short: "h" } };

/** Prints a trace.dat's structure. */
export const command: Command = {
  summary: "print the structure of a trace.dat (trace-cmd dump's summary)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "dump");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}': run 'ftk dump --help'`);
    ctx.stdout.write(await dumpSummary(flags.filter((f) => f.name === "i").pop()?.value ?? positionals[0] ?? "trace.dat"));
    return 0;
  },
};
