// `ftk split`: cuts a trace.dat into parts by time, events or pages, like trace-cmd split.
import { UsageError } from "../base/index.js";
import { openTrace, splitTraceDat } from "../tracedat/index.js";
import type { SplitOptions } from "../tracedat/index.js";
import { parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk split [options] -o file [start [end]]

Cuts a trace.dat into parts, each a trace.dat with the same metadata. Without -r only the first part
is written (file.1); with -r all of them (file.0001, file.0002, ...). Reports of the parts put together
are the report of the whole.

  -i FILE    input file (default trace.dat)
  -o FILE    output name (default: the input's name)
  -s n       parts of n seconds;  -m n  of n milliseconds;  -u n  of n microseconds
  -e n       parts of n events
  -p n       parts of n pages of each CPU
  -c         count -e per CPU: part k holds each CPU's k-th n events
  -r         write every part, from start to end
  start      time (seconds, as reports print it, e.g. 75678.923853) where the first part begins
  end        time where the last part ends
  -h, --help this help
`;

const FLAGS: Record<string, FlagSpec> = {
  i: { type: "string", short: "i" }, o: { type: "string", short: "o" }, s: { type: "string", short: "s" },
  m: { type: "string", short: "m" }, u: { type: "string", short: "u" }, e: { type: "string", short: "e" },
  p: { type: "string", short: "p" }, c: { type: "boolean", short: "c" }, r: { type: "boolean", short: "r" },
  help: { type: "boolean", short: "h" },
};

function seconds(text: string, what: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`bad ${what} time '${text}': give seconds like 75678.923853`);
  const [whole, frac = ""] = text.split(".");
  return Number(whole) * 1e9 + Number(frac.padEnd(9, "0").slice(0, 9));
}

/** Splits a trace.dat. */
export const command: Command = {
  summary: "cut a trace.dat into parts by time, events or pages",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "split");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    const last = (n: string) => flags.filter((f) => f.name === n).pop()?.value;
    const sizes = (["s", "m", "u", "e", "p"] as const).filter((n) => last(n) !== undefined);
    if (sizes.length !== 1) throw new UsageError("give one of -s, -m, -u, -e and -p: run 'ftk split --help'");
    const which = sizes[0]!;
    const text = last(which)!;
    if (!/^\d+$/.test(text) || Number(text) === 0) throw new UsageError(`-${which}: bad number '${text}': give a positive integer`);
    const n = Number(text);
    const by: SplitOptions["by"] = which === "e" ? "events" : which === "p" ? "pages" : "time";
    const every = which === "s" ? n * 1e9 : which === "m" ? n * 1e6 : which === "u" ? n * 1e3 : n;
    if (positionals.length > 2) throw new UsageError(`unexpected argument '${positionals[2]}': run 'ftk split --help'`);
    const input = last("i") ?? "trace.dat";
    const t = await openTrace(input);
    try {
      await splitTraceDat(t, last("o") ?? input, {
        by,
        every,
        perCpu: flags.some((f) => f.name === "c"),
        repeat: flags.some((f) => f.name === "r"),
        version: t.version,
        compression: t.compression === "zstd" || t.compression === "zlib" ? t.compression : "none",
        ...(positionals[0] !== undefined ? { startNs: seconds(positionals[0], "start") } : {}),
        ...(positionals[1] !== undefined ? { endNs: seconds(positionals[1], "end") } : {}),
      });
    } finally {
      await t.close();
    }
    return 0;
  },
};
