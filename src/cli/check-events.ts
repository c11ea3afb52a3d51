// `ftk check-events`: parses every event format of the running kernel, like trace-cmd check-events;
// silent and 0 when all parse, otherwise one line per event that does not, and exit 1.
import { Tracefs } from "../tracefs/index.js";
import { UsageError } from "../base/index.js";
import { checkEventFormats } from "../record/index.js";
import { parseOrderedArgs, withoutVerbose } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk check-events [-N] [-v]

Parses the format of every event of the running kernel (events/*/*/format) with the parser reports
use. Prints nothing and exits 0 when all parse; names each one that does not and exits 1.
With -v it also names the events whose print fmt cannot be rendered (reports print [FAILED TO PARSE]).

  -N         accepted for trace-cmd's command line (ftk's plugins do not change how formats parse)
  -v         also list print fmts that do not render, and count the formats checked
  --verbose[=LEVEL] accepted, as trace-cmd's log level (0-6 or none ... all); ftk logs nothing more
  -h, --help this help
`;

const FLAGS: Record<string, FlagSpec> = { N: { type: "boolean", short: "N" }, v: { type: "boolean", short: "v" }, help: { type: "boolean", short: "h" } };

/** Checks that every event format parses. */
export const command: Command = {
  summary: "check that every event format of the running kernel parses",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(withoutVerbose(argv), FLAGS, "check-events");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': run 'ftk check-events --help'`);
    const { checked, problems } = await checkEventFormats(await Tracefs.open());
    // As trace-cmd 3.1.6: only formats that do not parse fail; a print fmt that libtraceevent cannot
    // render either (reports show [FAILED TO PARSE]) is listed with -v.
    const verbose = flags.some((f) => f.name === "v");
    const failed = problems.filter((p) => p.kind === "format");
    for (const p of problems) if (p.kind === "format" || verbose) ctx.stdout.write(`${p.system}:${p.event}: ${p.reason}\n`);
    if (verbose) ctx.stdout.write(`${checked} formats checked: ${failed.length} do not parse, ${problems.length - failed.length} print fmts print as [FAILED TO PARSE]\n`);
    if (failed.length > 0) {
      ctx.stderr.write(`ftk check-events: ${failed.length} of ${checked} event formats do not parse (listed above)\n`);
      return 1;
    }
    return 0;
  },
};
