// `ftk dump`: the structure of a trace.dat as `trace-cmd dump` prints it.
import { DUMP_PARTS, dumpTraceDat } from "../tracedat/index.js";
import { TextOutput, UsageError } from "../base/index.js";
import type { DumpPart } from "../tracedat/index.js";
import { parseOrderedArgs, withoutVerbose } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk dump [options] [file]

Prints the metadata of a trace.dat as trace-cmd dump does, in file order: the summary by default, or
the parts asked for (several may be given).

  -i FILE           input file (default trace.dat)
  -v, --validate    check the whole file can be walked; say so at the end
  --all             every part below
  --summary         the summary (the default)
  --head-page       the header_page format
  --head-event      the header_event format
  --ftrace-events   the ftrace event formats
  --systems         the event systems and their event counts
  --events          the event formats
  --kallsyms        the function address to name table
  --printk          the trace_printk() format strings
  --cmd-lines       the pid to task name table
  --options         the options
  --flyrecord       the offset and size of each CPU's data
  --clock           the trace clock saved in the file
  --sections        version 7: every section header
  --strings         version 7: the strings that name the sections
  --verbose[=LEVEL] accepted (0-6 or none/crit/err/warn/info/debug/all); ftk logs nothing more
  -h, --help        this help
`;

const FLAGS: Record<string, FlagSpec> = {
  i: { type: "string", short: "i" },
  validate: { type: "boolean", short: "v" },
  all: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...Object.fromEntries(DUMP_PARTS.map((v) => [v, { type: "boolean" as const }])),
};

/** Prints a trace.dat's structure. */
export const command: Command = {
  summary: "print the structure of a trace.dat (trace-cmd dump)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(withoutVerbose(argv), FLAGS, "dump");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    const inputs = flags.filter((f) => f.name === "i");
    if (positionals.length > (inputs.length > 0 ? 0 : 1)) throw new UsageError(`unexpected argument '${positionals[inputs.length > 0 ? 0 : 1]}': run 'ftk dump --help'`);
    const path = inputs.pop()?.value ?? positionals[0] ?? "trace.dat";
    const parts: (DumpPart | "all")[] = [];
    for (const f of flags) {
      if (f.name === "all") parts.push("all");
      else if ((DUMP_PARTS as readonly string[]).includes(f.name)) parts.push(f.name as DumpPart);
    }
    // Latin-1: one character per byte of the file, as trace-cmd prints them.
    const out = new TextOutput(ctx.stdoutSink);
    out.write(await dumpTraceDat(path, { parts, validate: flags.some((f) => f.name === "validate") }));
    await out.flush();
    return 0;
  },
};
