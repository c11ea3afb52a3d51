// `ftk show`: prints the `trace` file (or `trace_pipe` with -p, which blocks in the kernel, so it is read
// non-blocking and polled until Ctrl-C) of the top level or an instance, like `trace-cmd show` 3.1.6.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { TextOutput, TracefsError, UsageError } from "../base/index.js";
import { Tracefs } from "../tracefs/index.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk show [-p|-s][-c cpu][-B buf][-f][--tracing_on|--current_tracer|...]

Prints the trace buffer as text (a cat of the 'trace' file).

  -p        read 'trace_pipe' instead (consumes the events; waits for more until Ctrl-C)
  -s        read the 'snapshot' file
  -c cpu    only the file of that CPU (per_cpu/cpuN/...)
  -B buf    read from instance buf
  -f        print the path of the file before its content
The following print the path of the corresponding file and exit:
  --tracing_on --current_tracer --buffer_size (buffer_size_kb) --buffer_total_size (buffer_total_size_kb)
  --ftrace_filter (set_ftrace_filter) --ftrace_notrace (set_ftrace_notrace) --ftrace_pid (set_ftrace_pid)
  --graph_function (set_graph_function) --graph_notrace (set_graph_notrace) --cpumask (tracing_cpumask)
`;

const PATH_FLAGS: Record<string, string> = {
  "--tracing_on": "tracing_on", "--current_tracer": "current_tracer", "--buffer_size": "buffer_size_kb",
  "--buffer_total_size": "buffer_total_size_kb", "--ftrace_filter": "set_ftrace_filter",
  "--ftrace_notrace": "set_ftrace_notrace", "--ftrace_pid": "set_ftrace_pid", "--graph_function": "set_graph_function",
  "--graph_notrace": "set_graph_notrace", "--cpumask": "tracing_cpumask",
};

/** Poll interval of `show -p` while trace_pipe is empty. */
const PIPE_POLL_MS = 100;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Copies a tracefs text file to stdout; with `pipe`, keeps polling (non-blocking) until the signal aborts. */
async function copyFile(path: string, rel: string, pipe: boolean, ctx: CliContext): Promise<void> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | (pipe ? constants.O_NONBLOCK : 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new TracefsError(`'${rel}' is not available on this kernel`, { code, path: rel });
    throw new TracefsError(`cannot read '${rel}': ${code === "EACCES" || code === "EPERM" ? "not permitted (run as root?)" : (e as Error).message}`, { code: code ?? "error", path: rel });
  }
  // TextOutput turns EPIPE (`ftk show | head`) into isClosed: stop quietly.
  const out = new TextOutput(ctx.stdoutSink);
  try {
    const buf = Buffer.allocUnsafe(65536);
    while (!ctx.signal.aborted) {
      let n: number;
      try {
        n = (await fh.read(buf, 0, buf.length, null)).bytesRead;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (pipe && code === "EAGAIN") {
          await sleep(PIPE_POLL_MS, ctx.signal);
          continue;
        }
        if (code === "EINTR") continue;
        throw new TracefsError(`cannot read '${rel}': ${(e as Error).message}`, { code: code ?? "error", path: rel });
      }
      if (n === 0) {
        if (!pipe) return;
        await sleep(PIPE_POLL_MS, ctx.signal);
        continue;
      }
      out.write(buf.toString("latin1", 0, n));
      await out.flush();
      if (out.isClosed) return;
    }
  } finally {
    await fh.close();
  }
}

/** Prints the trace buffer. */
export const command: Command = {
  summary: "print the trace buffer text (trace, or trace_pipe with -p)",
  async run(argv: string[], ctx: CliContext): Promise<number> {
    let pipe = false;
    let snapshot = false;
    let cpu: number | undefined;
    let instance: string | undefined;
    let showPath = false;
    let pathOnly: string | undefined;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      const value = (flag: string): string => {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`${flag} needs a value: run 'ftk show --help'`);
        return v;
      };
      if (arg === "-h" || arg === "--help") { ctx.stdout.write(HELP); return 0; }
      else if (arg === "-p") pipe = true;
      else if (arg === "-s") snapshot = true;
      else if (arg === "-f") showPath = true;
      else if (arg === "-B") instance = value("-B");
      else if (arg === "-c") {
        const v = value("-c");
        if (!/^\d+$/.test(v)) throw new UsageError(`bad cpu '${v}': give a CPU number`);
        cpu = Number(v);
      } else if (PATH_FLAGS[arg] !== undefined) pathOnly = PATH_FLAGS[arg];
      else throw new UsageError(`${arg.startsWith("-") ? "unknown option" : "unexpected argument"} '${arg}': run 'ftk show --help'`);
    }
    if (pipe && snapshot) throw new UsageError("can not have both -p and -s");
    const fs = await Tracefs.open();
    const inst = instance === undefined ? fs.topInstance() : fs.instance(instance);
    if (pathOnly !== undefined) {
      ctx.stdout.write(join(inst.path, pathOnly) + "\n");
      return 0;
    }
    const base = snapshot ? "snapshot" : pipe ? "trace_pipe" : "trace";
    if (cpu !== undefined && cpu >= inst.cpuCount()) throw new UsageError(`bad cpu '${cpu}': this machine has CPUs 0 to ${inst.cpuCount() - 1}`);
    const file = cpu === undefined ? base : `per_cpu/cpu${cpu}/${base}`;
    const path = join(inst.path, file);
    if (showPath) ctx.stdout.write(`${path}\n`);
    if (!pipe) {
      await copyFile(path, inst.rel(file), false, ctx);
      return 0;
    }
    // trace_pipe never ends: stop on Ctrl-C (a normal end, exit 0) or when the caller aborts.
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    const onAbort = (): void => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    if (ctx.signal.aborted) stop.abort();
    try {
      await copyFile(path, inst.rel(file), true, { ...ctx, signal: stop.signal });
    } finally {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      ctx.signal.removeEventListener("abort", onAbort);
    }
    return 0;
  },
};
