// `ftk options`: the plugin options reports take with -O, laid out as `trace-cmd options` lists them.
import { PLUGIN_OPTIONS } from "../events/index.js";
import { UsageError } from "../base/index.js";
import { parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk options

Lists the plugin options of 'ftk report -O plugin:option[=0|1]': plugin, option, what it does and
its default, one block per option, a line of '=' between plugins.

  -h, --help this help
`;

const FLAGS: Record<string, FlagSpec> = { help: { type: "boolean", short: "h" } };

/** The plugin options as `trace-cmd options` (and `list -O`) lays them out. */
export function pluginOptionsText(): string {
  const lines: string[] = [];
  PLUGIN_OPTIONS.forEach((o, i) => {
    if (i > 0) lines.push(PLUGIN_OPTIONS[i - 1]!.plugin === o.plugin ? "------------" : "============");
    lines.push(`  plugin:\t${o.plugin}`, `  option:\t${o.option}`, `    desc:\t${o.description}`, `     set:\t${o.defaultOn ? 1 : 0}`);
  });
  return lines.join("\n") + "\n";
}

/** Lists the plugin options. */
export const command: Command = {
  summary: "list the plugin options of report -O",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "options");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': run 'ftk options --help'`);
    ctx.stdout.write(pluginOptionsText());
    return 0;
  },
};
