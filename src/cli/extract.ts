// `ftk extract`: writes a trace.dat from the kernel buffers as they stand (after 'ftk start'), like
// trace-cmd extract; tracing is paused while reading and put back afterwards.
import { extract } from "../record/index.js";
import type { CliContext, Command } from "./context.js";
import { parseOrHelp } from "./record.js";

const HELP = `usage: ftk extract [-o FILE] [-B INSTANCE]... [-a] [-t] [--file-version 6|7] [--compression none|zstd|zlib] [-q]

Reads what is in the ring buffers now (top level, or the given instances) into a trace.dat file.

  -a              every instance as well as the top level
  -t              the top level as well as the -B instances
  --verbose[=L]   accepted (trace-cmd's log level); ftk logs nothing more
`;

/** Extracts the ring buffers into a trace.dat. */
export const command: Command = {
  summary: "write the current ring buffers into a trace.dat file",
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const options = parseOrHelp(argv, "extract", HELP, ctx);
    if (options === undefined) return 0;
    await extract(options, { stdout: ctx.stdout, stderr: ctx.stderr, signal: ctx.signal });
    return 0;
  },
};
