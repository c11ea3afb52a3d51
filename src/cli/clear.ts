// `ftk clear`: empties ring buffers, like trace-cmd clear (top level, -B instances, or -a for all).
import { Tracefs } from "../tracefs/index.js";
import { UsageError } from "../base/index.js";
import { parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk clear [-B buf]... [-a]

Empties the ring buffers (the top level when no option is given).

  -B buf     clear instance buf (may be repeated)
  -a         clear every instance and the top level
  -h, --help this help
`;

const FLAGS: Record<string, FlagSpec> = { B: { type: "string", short: "B" }, a: { type: "boolean", short: "a" }, help: { type: "boolean", short: "h" } };

/** Clears ring buffers. */
export const command: Command = {
  summary: "empty the ring buffers (top level, -B instances, or -a all)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "clear");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': run 'ftk clear --help'`);
    const fs = await Tracefs.open();
    const names = flags.some((f) => f.name === "a") ? ["", ...(await fs.listInstances())] : flags.filter((f) => f.name === "B").map((f) => f.value!);
    const instances = (names.length === 0 ? [""] : names).map((n) => (n === "" ? fs.topInstance() : fs.instance(n)));
    for (const inst of instances) await inst.clearTrace();
    return 0;
  },
};
