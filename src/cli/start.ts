// `ftk start`: sets tracing up like record and switches it on, without recording; the settings stay in
// place on purpose (stop with 'ftk stop'/'ftk reset', read with 'ftk extract').
import { start } from "../record/index.js";
import type { CliContext, Command } from "./context.js";
import { parseOrHelp } from "./record.js";

const HELP = `usage: ftk start [options]

Sets tracing up like 'ftk record' (same -e -f -R -T -p -O -P -C -b -M -B ... flags) and switches it on,
without recording. The settings are left in place; 'ftk extract' writes the buffers to a trace.dat.
`;

/** Sets tracing up and leaves it running. */
export const command: Command = {
  summary: "set tracing up and switch it on, without recording",
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const options = parseOrHelp(argv, "start", HELP, ctx);
    if (options === undefined) return 0;
    await start(options, { stdout: ctx.stdout, stderr: ctx.stderr, signal: ctx.signal });
    return 0;
  },
};
