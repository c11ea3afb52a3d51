// `ftk stream`: sets tracing up like record and prints the events live, formatted exactly like
// `ftk report` lines (EventPrinter + EventLineFormatter over the metadata of a small trace.dat written
// at start); stops on Ctrl-C or when the command exits, and restores tracefs.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PageDecoder, createRawRecord } from "../ringbuf/index.js";
import { fieldSignedReader } from "../events/index.js";
import { openStreamTrace, stream } from "../record/index.js";
import { EventLineFormatter } from "../report/index.js";
import type { TraceFile } from "../tracedat/index.js";
import type { StreamView } from "../record/index.js";
import type { CliContext, Command } from "./context.js";
import { parseOrHelp, withStopSignals } from "./record.js";

const HELP = `usage: ftk stream [options] [command [args...]]

Sets tracing up like 'ftk record' (same flags) and prints the events as they arrive, in the layout of
'ftk report'. Stops on Ctrl-C, or when the command exits (the exit status is then the command's).
`;

/** Decodes pages as they come and prints them in timestamp order per read round. */
function lineView(ctx: CliContext, dir: string): StreamView & { close(): Promise<void> } {
  let trace: TraceFile | undefined;
  let formatter: EventLineFormatter | undefined;
  let decoder: PageDecoder | undefined;
  const rec = createRawRecord();
  let readPid: ((r: typeof rec) => number) | undefined;
  let cmdlinesPath = "";
  const tried = new Set<number>();
  /** True when pid has no name yet (a task that started after saved_cmdlines was first read). */
  const unknown = (pid: number): boolean => trace !== undefined && pid > 0 && !tried.has(pid) && trace.tasks.comm(pid) === "<...>";
  /** Names a live task from /proc; false when it is gone. */
  const nameFromProc = (pid: number): boolean => {
    try {
      trace!.tasks.register(pid, readFileSync(`/proc/${pid}/comm`, "latin1").replace(/\n$/, ""));
      tried.add(pid);
      return true;
    } catch {
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
  let pending: { ts: number; cpu: number; line: string }[] = [];
  return {
    async begin(info) {
      trace = await openStreamTrace(info, join(dir, "meta.dat"), { onWarning: (m) => void ctx.stderr.write(`ftk stream: warning: ${m}\n`) });
      formatter = new EventLineFormatter(trace);
      decoder = new PageDecoder(trace.layout);
      cmdlinesPath = join(info.tracefsRoot, "saved_cmdlines");
      const pidField = trace.events.all()[0]?.findField("common_pid");
      if (pidField !== undefined) readPid = fieldSignedReader(pidField, trace.events.info);
    },
    pages(instance, cpu, pages) {
      if (decoder === undefined || formatter === undefined) return;
      const view = new DataView(pages.buffer, pages.byteOffset, pages.byteLength);
      const prefix = instance === "" ? "" : `${instance}: `;
      const size = decoder.layout.pageSize;
      if (readPid !== undefined) {
        let missing = false;
        for (let pos = 0; pos + size <= pages.length; pos += size) {
          decoder.reset(pages, view, pos, cpu);
          while (decoder.next(rec)) {
            const pid = readPid(rec);
            if (unknown(pid)) missing = !nameFromProc(pid) || missing;
          }
        }
        if (missing) {
          refreshTasks();
          for (let pos = 0; pos + size <= pages.length; pos += size) {
            decoder.reset(pages, view, pos, cpu);
            while (decoder.next(rec)) tried.add(readPid(rec));
          }
        }
      }
      for (let pos = 0; pos + size <= pages.length; pos += size) {
        decoder.reset(pages, view, pos, cpu);
        while (decoder.next(rec)) {
          if (rec.missedEvents !== 0) {
            const n = rec.missedEvents > 0 ? `${rec.missedEvents} ` : "";
            pending.push({ ts: rec.ts, cpu, line: `CPU:${cpu} [${n}EVENTS DROPPED]` });
          }
          pending.push({ ts: rec.ts, cpu, line: prefix + formatter.format(rec) });
        }
      }
    },
    flush() {
      if (pending.length === 0) return;
      pending.sort((a, b) => a.ts - b.ts || a.cpu - b.cpu);
      ctx.stdout.write(pending.map((p) => p.line).join("\n") + "\n");
      pending = [];
    },
    async close() {
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
