// `ftk dump`: the structure of a trace.dat as `trace-cmd dump` summarises it.
import { DUMP_VIEWS, dumpSummary, dumpView } from "../tracedat/index.js";
import { UsageError } from "../base/index.js";
import type { DumpView } from "../tracedat/index.js";
import { parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk dump [-i file] [--summary] [file]

Prints the structure of a trace.dat as trace-cmd dump's summary does: the initial format, the sizes of
the metadata blocks, the options and, for version 7, the buffers and sections.

  -i FILE     input file (default trace.dat)
  --summary   the summary (the default)
  --head-page, --head-event, --cmd-lines, --printk, --systems, --clock
              that block of the file, as trace-cmd dump prints it
  -h, --help  this help
`;

const FLAGS: Record<string, FlagSpec> = {
  i: { type: "string", short: "i" },
  summary: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...Object.fromEntries(DUMP_VIEWS.map((v) => [v, { type: "boolean" as const }])),
};

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
    const path = flags.filter((f) => f.name === "i").pop()?.value ?? positionals[0] ?? "trace.dat";
    const views = flags.map((f) => f.name).filter((n): n is DumpView => (DUMP_VIEWS as readonly string[]).includes(n));
    if (views.length === 0) ctx.stdout.write(await dumpSummary(path));
    for (const v of views) ctx.stdout.write(await dumpView(path, v));
    return 0;
  },
};
