// `ftk restart`: turns tracing_on back on after `ftk stop` (the settings are as they were), like
// `trace-cmd restart` 3.1.6.
import type { CliContext, Command } from "./context.js";
import { TRACING_ON_FLAGS, setTracingOnOf } from "./stop.js";

const HELP = `usage: ftk restart [-B buf [-B buf]..] [-a] [-t]

Restarts recording after 'ftk stop' (writes 1 to tracing_on); nothing else changes.

  -B buf  restart instance buf (may be repeated)
  -a      restart all instances (and not the top level, unless -t)
  -t      also restart the top level (with -B or -a)
`;

/** Writes tracing_on = 1. */
export const command: Command = {
  summary: "restart recording into the trace buffers after stop (tracing_on = 1)",
  flags: TRACING_ON_FLAGS,
  run: (argv: string[], ctx: CliContext): Promise<number> => setTracingOnOf(argv, ctx, true, "restart", HELP),
};
