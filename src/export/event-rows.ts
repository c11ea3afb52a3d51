// exportEventRows(): the ftrace_event table (ts, cpu, utid, name, system, args) as CSV or JSON lines,
// streamed; args is the event's fields as a JSON object (event-args.ts).
import type { Writable } from "node:stream";
import type { TraceFile } from "../tracedat/index.js";
import { walkModel } from "../model/index.js";
import { ByteOutput } from "./byte-output.js";
import { EventArgs } from "./event-args.js";
import type { ExportOptions, ExportResult } from "./perfetto.js";

const CHUNK_CHARS = 1 << 16;

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/**
 * Writes the ftrace_event rows of `trace` to `out` as "csv" (with a header line) or "jsonl".
 * @example
 * await exportEventRows(await openTrace("trace.dat"), process.stdout, "jsonl");
 */
export async function exportEventRows(trace: TraceFile, out: Writable, format: "csv" | "jsonl", options: ExportOptions = {}): Promise<ExportResult> {
  const output = new ByteOutput(out, "utf8");
  const args = new EventArgs(trace);
  const eventsPerCpu = new Map<number, number>();
  const skipped = new Map<string, number>();
  const names: string[] = [];
  let text = format === "csv" ? "ts,cpu,utid,name,system,args\n" : "";
  const model = await walkModel(
    trace,
    {
      event: (rec, ev, utid) => {
        if (ev === undefined) {
          skipped.set("unknown event id", (skipped.get("unknown event id") ?? 0) + 1);
          return;
        }
        eventsPerCpu.set(rec.cpu, (eventsPerCpu.get(rec.cpu) ?? 0) + 1);
        const a = args.writerOf(ev)(rec);
        if (format === "csv") {
          const n = (names[ev.id] ??= `${csvField(ev.name)},${csvField(ev.system)}`);
          text += `${rec.ts},${rec.cpu},${utid},${n},${csvField(a)}\n`;
        } else {
          const n = (names[ev.id] ??= `"name":${JSON.stringify(ev.name)},"system":${JSON.stringify(ev.system)}`);
          text += `{"ts":${rec.ts},"cpu":${rec.cpu},"utid":${utid},${n},"args":${a}}\n`;
        }
        if (text.length >= CHUNK_CHARS) {
          output.write(text);
          text = "";
        }
      },
    },
    {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      drain: async () => {
        output.write(text);
        text = "";
        await output.flush();
      },
    },
  );
  output.write(text);
  await output.flush();
  return { records: model.records, eventsPerCpu, skipped, bytes: output.written, genericEvents: [] };
}
