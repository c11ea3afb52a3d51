// `ftk export`: a trace.dat as Perfetto protobuf, Chrome JSON, ftrace_event rows (csv/jsonl) or Parquet.
import { createWriteStream, openSync } from "node:fs";
import type { Writable } from "node:stream";
import { FtkError, UsageError, describeErrno } from "../base/index.js";
import { exportChromeJson, exportEventRows, exportPerfetto } from "../export/index.js";
import { exportParquet } from "../sql/index.js";
import { openTrace } from "../tracedat/index.js";
import type { ExportOptions, ExportResult } from "../export/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { parseOrderedArgs, type FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";
import { progressText } from "./progress.js";

const HELP = `usage: ftk export -i FILE --format FORMAT -o OUT

Writes a trace.dat in another format, read through ftk's model of the trace.

  -i FILE          input trace.dat (default trace.dat)
  --format FORMAT  perfetto    Perfetto protobuf trace (open it in ui.perfetto.dev)
                   chrome-json Trace Event Format JSON (calls, thread states, events, names)
                   csv, jsonl  the ftrace_event rows: ts,cpu,utid,name,system,args
                   parquet     one Parquet file per table of 'ftk sql' into the directory OUT
  -o OUT           output file ('-' or none: stdout, except for perfetto and parquet)
  -h, --help       this text
`;

const FLAGS: Record<string, FlagSpec> = {
  input: { type: "string", short: "i" },
  format: { type: "string" },
  output: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
};

const FORMATS = ["perfetto", "chrome-json", "csv", "jsonl", "parquet"] as const;
type Format = (typeof FORMATS)[number];

/** A stream to the output file, opened first so that an unwritable path fails before any reading. */
function openOutput(path: string): Writable {
  try {
    return createWriteStream("", { fd: openSync(path, "w"), autoClose: true });
  } catch (e) {
    throw new FtkError(`cannot write '${path}': ${describeErrno(e)}`, { path, cause: e });
  }
}

/** Waits until everything written to a file stream is on disk. */
function endStream(s: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.end(() => resolve());
  });
}

/** Progress on a TTY stderr: records read out of the estimated total, rewritten in place. */
function progressOf(ctx: CliContext): ((records: number, fraction: number) => void) | undefined {
  const tty = (ctx.stderr as { isTTY?: boolean }).isTTY === true;
  if (!tty) return undefined;
  return (n, f) => ctx.stderr.write(`\rftk export: ${progressText(n, f)}`);
}

/** One line on stderr with what was written and what was skipped. */
function summary(r: ExportResult, out: string, ctx: CliContext, tty: boolean): void {
  const events = [...r.eventsPerCpu.values()].reduce((a, b) => a + b, 0);
  let line = `${tty ? "\r" : ""}ftk export: wrote ${events} events (${r.bytes} bytes) to ${out}`;
  const skipped = [...r.skipped].map(([why, n]) => `${n} ${why}`);
  line += skipped.length > 0 ? `; skipped ${skipped.join(", ")}` : "; skipped none";
  if (r.genericEvents.length > 0) line += `; ${r.genericEvents.length} event types as GenericFtraceEvent`;
  ctx.stderr.write(line + "\n");
}

export const command: Command = {
  summary: "write a trace as Perfetto, Chrome JSON, csv, jsonl or Parquet",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "export");
    const one = (name: string): string | undefined => flags.filter((f) => f.name === name).at(-1)?.value;
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': give the input with -i`);
    const format = one("format");
    if (format === undefined) throw new UsageError(`--format is required (${FORMATS.join(", ")})`);
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format '${format}': use one of ${FORMATS.join(", ")}`);
    const input = one("input") ?? "trace.dat";
    const output = one("output");
    const f = format as Format;
    if ((f === "perfetto" || f === "parquet") && (output === undefined || output === "-")) {
      throw new UsageError(`--format ${f} needs -o ${f === "parquet" ? "DIR" : "FILE"}`);
    }
    const tty = (ctx.stderr as { isTTY?: boolean }).isTTY === true;
    const progress = progressOf(ctx);
    const options: ExportOptions = { signal: ctx.signal, onNote: (m) => ctx.stderr.write(`ftk export: note: ${m}\n`) };
    if (progress !== undefined) options.onProgress = progress;
    if (f === "parquet") {
      const r = await exportParquet([input], output!, { onWarning: (m) => ctx.stderr.write(`ftk export: warning: ${m}\n`), ...(progress ? { onProgress: (n: number, fr: number) => progress(n, fr) } : {}) });
      ctx.stderr.write(`${tty ? "\r" : ""}ftk export: wrote ${r.files.length} Parquet files (${r.rows} rows) to ${output}\n`);
      return 0;
    }
    const toStdout = output === undefined || output === "-";
    const stream = toStdout ? ctx.stdout : openOutput(output);
    let trace: TraceFile;
    try {
      trace = await openTrace(input, { onWarning: (m) => ctx.stderr.write(`ftk export: warning: ${m}\n`) });
    } catch (e) {
      if (!toStdout) await endStream(stream).catch(() => undefined);
      throw e;
    }
    try {
      const r =
        f === "perfetto" ? await exportPerfetto(trace, stream, options)
        : f === "chrome-json" ? await exportChromeJson(trace, stream, options)
        : await exportEventRows(trace, stream, f, options);
      if (!toStdout) await endStream(stream);
      summary(r, toStdout ? "stdout" : output, ctx, tty);
    } catch (e) {
      if (e instanceof FtkError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EPIPE") return 0;
      if (code !== undefined) throw new FtkError(`cannot write '${output ?? "stdout"}': ${describeErrno(e)}`, { cause: e });
      throw e;
    } finally {
      await trace.close();
    }
    return 0;
  },
};
