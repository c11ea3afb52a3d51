// `ftk set`: applies record-style settings to tracefs and leaves them, like trace-cmd set: unlike start
// it adds to what is there (other events stay on, buffers are kept, tracing_on is not touched).
import { setTracing } from "../record/index.js";
import type { CliContext, Command } from "./context.js";
import { parseOrHelp, recordFlagSpecs } from "./record.js";

const HELP = `usage: ftk set [options]

Sets tracing up like 'ftk record' would, without recording and without resetting anything first:
events already enabled stay enabled, the buffers are not cleared, tracing_on is left as it is.
The settings stay ('ftk reset' puts the defaults back).

  -e EVENT   enable an event (system, system:event, glob, all); -v before it disables it instead
  -f FILTER  filter for the preceding -e;  -R TRIGGER  trigger for the preceding -e
  -T         stack trace with every event;  -O OPT / -O noOPT  set or clear a trace option
  -p TRACER  current tracer;  -l/-n/-g FUNC  function filters;  --max-graph-depth N
  -P PID     set_event_pid;  -C CLOCK  trace clock;  -b KB  buffer size;  -M MASK  CPU mask
  -B NAME    the settings that follow go to instance NAME (created when missing)
  -i         ignore events that do not exist;  --cmdlines-size N;  -d  function-trace off
  -h, --help this help
`;

/** Applies settings and leaves them. */
export const command: Command = {
  summary: "apply tracing settings (events, filters, options, clock, ...) and leave them, without recording",
  flags: recordFlagSpecs("set"),
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const options = parseOrHelp(argv, "set", HELP, ctx);
    if (options === undefined) return 0;
    await setTracing(options, { stdout: ctx.stdout, stderr: ctx.stderr, signal: ctx.signal });
    return 0;
  },
};
