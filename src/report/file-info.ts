// File-information outputs of `trace-cmd report` 3.1.6 (report-output.md §6): --stat, --uname, --version,
// --cpus / --first-event / --last-event, -E (event list), -f (functions), -P (printk formats).
import type { TextOutput } from "../base/index.js";
import { OPTION, openForReading, type TraceFile } from "../tracedat/index.js";
import type { TimestampFormatter } from "./timestamps.js";

/** What writeFileInfo prints. */
export type FileInfoKind = "stat" | "uname" | "version" | "events" | "functions" | "printk";

const STAT_HEADER =
  "\nKernel buffer statistics:\n" +
  '  Note: "entries" are the entries left in the kernel ring buffer and are not\n' +
  "        recorded in the trace data. They should all be zero.\n\n";

function hex16(addr: bigint): string {
  return addr.toString(16).padStart(16, "0");
}

/** The CPUSTAT payloads concatenated, each with its final byte (the NUL) turned into a newline. */
function cpuStatText(trace: TraceFile): string | undefined {
  let text: string | undefined;
  for (const o of trace.options) {
    if (o.id !== OPTION.CPUSTAT || o.payload.length === 0) continue;
    const p = Buffer.from(o.payload.buffer, o.payload.byteOffset, o.payload.byteLength);
    text = (text ?? "") + p.toString("latin1", 0, p.length - 1) + "\n";
  }
  return text;
}

function versionLine(trace: TraceFile): string {
  return trace.traceCmdVersion !== undefined ? trace.traceCmdVersion + "\n" : " version was not recorded in this file\n";
}

/**
 * Where trace-cmd 3.1.6 says each CPU's data is, one slot per CPU from 0 to the highest listed (a v7
 * BUFFER option may leave CPUs out; their slots say offset 0, size 0): the file offset and size, or for
 * compressed data the place in its decompressed copy (CPUs with data one after another from one page in,
 * each rounded up to a page; an empty one keeps its listed offset).
 */
async function cpuDataPlaces(trace: TraceFile): Promise<{ offset: number; size: number }[]> {
  const buffer = trace.buffers[0];
  if (buffer === undefined) return [];
  const slots = buffer.cpus.reduce((n, c) => Math.max(n, c.cpu + 1), 0);
  const places = Array.from({ length: slots }, () => ({ offset: 0, size: 0 }));
  if (!buffer.compressed) {
    for (const c of buffer.cpus) places[c.cpu] = { offset: c.fileOffset, size: c.size };
    return places;
  }
  const fh = await openForReading(trace.path);
  try {
    const head = new Uint8Array(8);
    const view = new DataView(head.buffer);
    const le = trace.littleEndian;
    let next = trace.pageSize;
    for (const c of [...buffer.cpus].sort((a, b) => a.cpu - b.cpu)) {
      if (c.size === 0) {
        places[c.cpu] = { offset: c.fileOffset, size: 0 };
        continue;
      }
      let pos = c.fileOffset;
      let size = 0;
      if ((await fh.read(head, 0, 4, pos)).bytesRead === 4) {
        const count = view.getUint32(0, le);
        pos += 4;
        for (let i = 0; i < count; i++) {
          if ((await fh.read(head, 0, 8, pos)).bytesRead !== 8) break;
          const csize = view.getUint32(0, le);
          size += view.getUint32(4, le);
          pos += 8 + csize;
        }
      }
      places[c.cpu] = { offset: next, size };
      next = Math.ceil((next + size) / trace.pageSize) * trace.pageSize;
    }
  } finally {
    await fh.close();
  }
  return places;
}

/** Writes one of the file-information texts (not the `cpus=N` line before some of them). */
export async function writeFileInfo(trace: TraceFile, kind: FileInfoKind, out: TextOutput): Promise<void> {
  switch (kind) {
    case "stat": {
      out.write(STAT_HEADER);
      const stats = cpuStatText(trace);
      out.write(stats !== undefined ? stats + "\n" : " No stats in this file\n");
      (await cpuDataPlaces(trace)).forEach((c, i) => {
        out.write("CPU" + i + " data recorded at offset=0x" + c.offset.toString(16) + "\n");
        out.write("    " + c.size + " bytes in size\n");
      });
      return;
    }
    case "uname":
      out.write(trace.uname !== undefined ? trace.uname + "\n" : " uname was not recorded in this file\n");
      // 3.1.6 falls through to the version (a missing break in trace-read.c).
      out.write(versionLine(trace));
      return;
    case "version":
      out.write(versionLine(trace));
      return;
    case "events": {
      const events = [...trace.events.all()].sort((a, b) =>
        a.system !== b.system ? (a.system < b.system ? -1 : 1) : a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.id - b.id,
      );
      for (const ev of events) out.write(ev.system + ":" + ev.name + "\n");
      return;
    }
    case "functions":
      for (const f of trace.kallsymsTable.entries()) {
        out.write(hex16(f.addr) + " " + f.name + (f.module !== undefined ? " [" + f.module + "]" : "") + "\n");
      }
      return;
    case "printk":
      for (const p of trace.printk.entries()) out.write(hex16(p.addr) + " " + p.format + "\n");
      return;
  }
}

/** `--cpus` / `--first-event` / `--last-event` for one file: the top buffer's CPUs that hold records. */
export async function writeCpuList(
  trace: TraceFile,
  path: string,
  out: TextOutput,
  options: { first: boolean; last: boolean; timestamps: TimestampFormatter },
): Promise<void> {
  out.write("List of CPUs in " + path + " with data:\n");
  const cpus = [...(trace.buffers[0]?.cpus ?? [])].sort((a, b) => a.cpu - b.cpu);
  for (const c of cpus) {
    const stream = trace.cpuStream(0, c.cpu);
    if (!(await stream.advance())) continue;
    let line = "  " + c.cpu;
    if (options.first) line += "\tFirst event:" + options.timestamps.core(stream.record.ts);
    if (options.last) {
      let lastTs = stream.record.ts;
      for (;;) {
        let r = stream.advanceSync();
        if (r === "need-io") r = await stream.advance();
        if (!r) break;
        lastTs = stream.record.ts;
      }
      line += "\tLast event:" + options.timestamps.core(lastTs);
    }
    out.write(line + "\n");
  }
}
