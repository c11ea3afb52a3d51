// Rewrites a trace.dat file (trace-cmd convert, split): the metadata and options are kept, the per-CPU
// pages are copied (or chosen by a callback) through temporary files, and the writer lays the file out
// in the version and compression asked for (trace-dat-format.md §3-§5).
import { closeSync, openSync, unlinkSync, writeSync } from "node:fs";
import { TraceFileError } from "../base/index.js";
import { OPTION } from "./constants.js";
import { openTrace } from "./trace-file.js";
import type { TraceFile } from "./trace-file.js";
import { writeTraceDat } from "./writer.js";
import type { TraceDatBuffer, TraceDatCompression, TraceDatMetadata, TraceDatWriteOptions, TraceDatWriteResult } from "./writer.js";

/** Options the writer makes itself from the buffers and metadata; every other option is copied as read. */
const REWRITTEN = new Set<number>([OPTION.DONE, OPTION.BUFFER, OPTION.CPUCOUNT, OPTION.TRACECLOCK, OPTION.BUFFER_TEXT]);

/** How the new file is written. */
export interface ConvertOptions {
  version: 6 | 7;
  compression: TraceDatCompression;
}

/** The metadata blocks of an open file, as the writer takes them. */
export function metadataOf(t: TraceFile): TraceDatMetadata {
  const bySystem = new Map<string, string[]>();
  for (const f of t.eventFormats) {
    let list = bySystem.get(f.system);
    if (list === undefined) bySystem.set(f.system, (list = []));
    list.push(f.text);
  }
  return {
    headerPage: t.headerPage,
    headerEvent: t.headerEvent,
    ftraceFormats: t.ftraceFormats,
    eventFormats: [...bySystem].map(([system, formats]) => ({ system, formats })),
    kallsyms: t.kallsyms,
    printkFormats: t.printkFormats,
    savedCmdlines: t.savedCmdlines,
  };
}

/** The text of an option (up to its NUL). */
function optionText(payload: Uint8Array): string {
  const end = payload.indexOf(0);
  return Buffer.from(payload.buffer, payload.byteOffset, end < 0 ? payload.length : end).toString("latin1");
}

/** Writer options that keep `t`'s layout (endianness, long size, page size, CPUs) and its options. */
export function writeOptionsOf(t: TraceFile, options: ConvertOptions): TraceDatWriteOptions {
  const clockOption = t.options.find((o) => o.id === OPTION.TRACECLOCK);
  return {
    version: options.version,
    compression: options.version === 6 ? "none" : options.compression,
    littleEndian: t.littleEndian,
    longSize: t.longSize,
    pageSize: t.pageSize,
    cpuCount: t.cpus,
    ...(clockOption !== undefined ? { traceClock: optionText(clockOption.payload) } : {}),
    extraOptions: t.options.filter((o) => !REWRITTEN.has(o.id) && !(o.id >= OPTION.HEADER_INFO && o.id <= OPTION.BUFFER_TEXT)),
  };
}

/**
 * Chooses the pages of one CPU that go to the new file: called with every batch of pages in order, it
 * returns the pages to keep (a view or copy, written at once) or undefined for none.
 */
export type PageFilter = (bufferIndex: number, cpu: number, pages: Uint8Array, pageSize: number) => Uint8Array | undefined;

/**
 * Writes `t` to `output` in another version or compression, keeping metadata and options; `filter`
 * (split) picks pages. Temporary files `<output>.<buffer>.cpuN` are removed on every path.
 */
export async function rewriteTraceDat(t: TraceFile, output: string, options: ConvertOptions, filter?: PageFilter): Promise<TraceDatWriteResult> {
  if (t.latencyText !== undefined) throw new TraceFileError(`cannot rewrite '${t.path}': it is a latency-format file (text only)`, { path: t.path });
  const temps: string[] = [];
  try {
    const buffers: TraceDatBuffer[] = [];
    for (let b = 0; b < t.buffers.length; b++) {
      const info = t.buffers[b]!;
      const cpuFiles: (string | undefined)[] = [];
      for (const { cpu } of info.cpus) {
        const path = `${output}.${b}.cpu${cpu}`;
        temps.push(path);
        const fd = openSync(path, "w");
        let bytes = 0;
        try {
          for await (const batch of t.cpuPages(b, cpu)) {
            const keep = filter === undefined ? batch : filter(b, cpu, batch, info.pageSize);
            if (keep === undefined || keep.length === 0) continue;
            for (let done = 0; done < keep.length; ) done += writeSync(fd, keep, done, keep.length - done, bytes + done);
            bytes += keep.length;
          }
        } finally {
          closeSync(fd);
        }
        if (bytes > 0) cpuFiles[cpu] = path;
      }
      buffers.push({ name: info.name, clock: info.clock, pageSize: info.pageSize, cpuFiles });
    }
    return await writeTraceDat(output, metadataOf(t), buffers, writeOptionsOf(t, options));
  } finally {
    for (const p of temps) {
      try {
        unlinkSync(p);
      } catch {
        // not created
      }
    }
  }
}

/**
 * `trace-cmd convert`: writes `input` as `output` with another file version and/or compression.
 * @example
 * await convertTraceDat("trace.dat", "trace-v6.dat", { version: 6, compression: "none" });
 */
export async function convertTraceDat(input: string, output: string, options: ConvertOptions): Promise<TraceDatWriteResult> {
  const t = await openTrace(input);
  try {
    return await rewriteTraceDat(t, output, options);
  } finally {
    await t.close();
  }
}
