// `ftk stream`: sets tracing up like record and prints the events live, formatted exactly like
// `ftk report` lines (EventPrinter + EventLineFormatter over the metadata of a small trace.dat written
// at start); stops on Ctrl-C or when the command exits, and restores tracefs. Records are merged across
// CPUs and instances up to the time the previous read round began (report/LiveRecordMerge), so that lines
// come in time order across rounds too.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PageDecoder, createRawRecord } from "../ringbuf/index.js";
import { fieldSignedReader } from "../events/index.js";
import { openStreamTrace, stream } from "../record/index.js";
import { EventLineFormatter, LiveRecordMerge } from "../report/index.js";
import type { TraceFile } from "../tracedat/index.js";
import type { StreamView } from "../record/index.js";
import type { CliContext, Command } from "./context.js";
import { parseOrHelp, withStopSignals } from "./record.js";

const HELP = `usage: ftk stream [options] [command [args...]]

Sets tracing up like 'ftk record' (same flags) and prints the events as they arrive, in the layout of
'ftk report'. Stops on Ctrl-C, or when the command exits (the exit status is then the command's).
`;

/** A merge queue per (instance, CPU): instance k's CPU c is queue k * CPU_SLOTS + c. */
const CPU_SLOTS = 4096;

/** Decodes pages as they come and prints them in timestamp order. */
function lineView(ctx: CliContext, dir: string): StreamView & { close(): Promise<void> } {
  let trace: TraceFile | undefined;
  let formatter: EventLineFormatter | undefined;
  let decoder: PageDecoder | undefined;
  const rec = createRawRecord();
  let readPid: ((r: typeof rec) => number) | undefined;
  let cmdlinesPath = "";
  // A task's name changes at exec, so a live task is named from /proc once in each read round that has
  // its records; a task that is gone keeps its last name, or the one saved_cmdlines has.
  const fresh = new Set<number>();
  const gone = new Set<number>();
  /** Names a live task from /proc; false when it is gone. */
  const nameFromProc = (pid: number): boolean => {
    try {
      trace!.tasks.rename(pid, readFileSync(`/proc/${pid}/comm`, "latin1").replace(/\n$/, ""));
      fresh.add(pid);
      return true;
    } catch {
      gone.add(pid);
      return false;
    }
  };
  /** Names new tasks from saved_cmdlines as it is now (what report would use at the end). */
  const refreshTasks = (): void => {
    let text = "";
    try {
      text = readFileSync(cmdlinesPath, "latin1");
    } catch {
      return;
    }
    for (const line of text.split("\n")) {
      const sp = line.indexOf(" ");
      if (sp > 0) trace!.tasks.register(Number(line.slice(0, sp)), line.slice(sp + 1));
    }
  };
  let merge: LiveRecordMerge | undefined;
  const instances: string[] = [];
  /** Records stamped up to here have all been read (the start of the round before the last complete one). */
  let mark = -Infinity;
  /** The trace clock at the start of the previous round (-Infinity when unknown). */
  let lastRound = -Infinity;
  let lines: string[] = [];
  const emit = (r: typeof rec): void => {
    const slot = r.cpu;
    const cpu = slot % CPU_SLOTS;
    const instance = instances[(slot - cpu) / CPU_SLOTS]!;
    r.cpu = cpu;
    if (r.missedEvents !== 0) {
      const n = r.missedEvents > 0 ? `${r.missedEvents} ` : "";
      lines.push(`CPU:${cpu} [${n}EVENTS DROPPED]`);
    }
    lines.push((instance === "" ? "" : `${instance}: `) + formatter!.format(r));
  };
  return {
    async begin(info) {
      trace = await openStreamTrace(info, join(dir, "meta.dat"), { onWarning: (m) => void ctx.stderr.write(`ftk stream: warning: ${m}\n`) });
      formatter = new EventLineFormatter(trace);
      decoder = new PageDecoder(trace.layout);
      merge = new LiveRecordMerge(trace.layout, { spill: join(dir, "pages.spill") });
      cmdlinesPath = join(info.tracefsRoot, "saved_cmdlines");
      const pidField = trace.events.all()[0]?.findField("common_pid");
      if (pidField !== undefined) readPid = fieldSignedReader(pidField, trace.events.info);
    },
    pages(instance, cpu, pages) {
      if (decoder === undefined || formatter === undefined) return;
      const view = new DataView(pages.buffer, pages.byteOffset, pages.byteLength);
      const size = decoder.layout.pageSize;
      if (readPid !== undefined) {
        let missing = false;
        for (let pos = 0; pos + size <= pages.length; pos += size) {
          decoder.reset(pages, view, pos, cpu);
          while (decoder.next(rec)) {
            const pid = readPid(rec);
            if (pid > 0 && !fresh.has(pid) && !gone.has(pid)) missing = !nameFromProc(pid) || missing;
          }
        }
        if (missing) refreshTasks();
      }
      let k = instances.indexOf(instance);
      if (k < 0) k = instances.push(instance) - 1;
      merge!.push(k * CPU_SLOTS + cpu, pages);
    },
    room(bytes) {
      // Pages are read straight into the merge's memory (push() then takes them without a copy).
      return merge!.room(bytes);
    },
    flush(complete, clockNs) {
      // The previous round began before this one: a complete round read all that was stamped by then.
      // Without the clock (not in ns, or its stats unreadable), each round is merged on its own.
      if (complete && lastRound > mark) mark = lastRound;
      lastRound = clockNs ?? -Infinity;
      fresh.clear();
      merge?.drain(clockNs === undefined ? Infinity : mark, emit);
      if (lines.length === 0) return;
      ctx.stdout.write(lines.join("\n") + "\n");
      lines = [];
    },
    async close() {
      merge?.close();
      await trace?.close();
    },
  };
}

/** Streams formatted events live. */
export const command: Command = {
  summary: "trace events live and print them like report",
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const options = parseOrHelp(argv, "stream", HELP, ctx);
    if (options === undefined) return 0;
    const dir = mkdtempSync(join(tmpdir(), "ftk-stream-"));
    const view = lineView(ctx, dir);
    try {
      return await withStopSignals(ctx, (signal) =>
        stream(options, { stdout: ctx.stdout, stderr: ctx.stderr, signal }, view),
      );
    } finally {
      await view.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
