// `split` (trace-cmd split): cuts a trace.dat into parts by time, by events or by pages, each part a
// trace.dat with the same metadata. Parts are cut between records, not between pages: a page that
// straddles a cut is written as two pages, the second with the time of the record before it as its
// header time, so every delta still adds up (ring-buffer-and-events.md §1). Reports of the parts, put
// together, are the report of the whole.
import { closeSync, openSync, unlinkSync, writeSync } from "node:fs";
import { UsageError } from "../base/index.js";
import { PageDecoder, createRawRecord } from "../ringbuf/index.js";
import { metadataOf, writeOptionsOf } from "./convert.js";
import type { ConvertOptions } from "./convert.js";
import { RecordMerger } from "./record-merger.js";
import type { TraceFile } from "./trace-file.js";
import { writeTraceDat } from "./writer.js";
import type { TraceDatBuffer, TraceDatWriteResult } from "./writer.js";

/** How to cut. */
export interface SplitOptions extends ConvertOptions {
  /** "time": every `every` ns; "events": every `every` records; "pages": every `every` pages of each CPU. */
  by: "time" | "events" | "pages";
  every: number;
  /** Count per CPU (-c): every CPU's part k holds its k-th group of `every` records (or pages). */
  perCpu?: boolean;
  /** Write every part (-r); otherwise only the first. */
  repeat?: boolean;
  /** Timestamps (as reports print them, ns) outside [startNs, endNs) are left out. */
  startNs?: number;
  endNs?: number;
}

const TWO_32 = 2 ** 32;
const COMMIT_FLAGS = 0xc0000000;
const COMMIT_MISSED_STORED = 0x40000000;

/** Name of part k (0-based): trace-cmd writes `out.1` alone, and `out.0001`, `out.0002`, ... with -r. */
export function splitPartName(output: string, k: number, repeat: boolean): string {
  return repeat ? `${output}.${String(k + 1).padStart(4, "0")}` : `${output}.1`;
}

/**
 * Where each part begins in every CPU stream, from one walk in report order: cuts[k] maps
 * "buffer:cpu" to the index of the first record of that CPU in part k+1. Part 0 is dropped when a
 * start time is given (it holds what comes before).
 */
async function findCuts(t: TraceFile, o: SplitOptions): Promise<{ cuts: Map<string, number>[]; dropFirst: boolean; endCut: boolean }> {
  const counts = new Map<string, number>();
  const cuts: Map<string, number>[] = [];
  const snapshot = () => cuts.push(new Map(counts));
  const merger = RecordMerger.forFiles([t]);
  let dropFirst = false;
  let started = o.startNs === undefined;
  let ended = false;
  let nextTs = Number.NaN;
  let n = 0;
  for (let m = await merger.next(); m !== undefined; m = await merger.next()) {
    const ts = m.rec.ts;
    if (!started && ts >= o.startNs!) {
      started = true;
      dropFirst = true;
      snapshot();
    }
    if (started && !ended) {
      if (o.endNs !== undefined && ts >= o.endNs) {
        ended = true;
        snapshot();
      } else if (o.by === "time") {
        if (Number.isNaN(nextTs)) nextTs = (o.startNs ?? ts) + o.every;
        while (ts >= nextTs) {
          snapshot();
          nextTs += o.every;
        }
      } else if (o.by === "events" && !o.perCpu) {
        if (n > 0 && n % o.every === 0) snapshot();
        n++;
      }
    }
    const key = `${m.bufferIndex}:${m.rec.cpu}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { cuts, dropFirst, endCut: ended };
}

/**
 * Splits `t` into parts named by splitPartName(); returns what each part's write produced. Temporary
 * files `<output>.part<k>.<buffer>.cpuN` are removed on every path.
 */
export async function splitTraceDat(t: TraceFile, output: string, o: SplitOptions): Promise<{ path: string; result: TraceDatWriteResult }[]> {
  if (!(o.every > 0)) throw new UsageError("split needs a positive size: give -s, -m, -u, -e or -p with a number above 0");
  const perCpuIndex = (o.perCpu === true && o.by === "events") || o.by === "pages";
  if (perCpuIndex && (o.startNs !== undefined || o.endNs !== undefined)) {
    throw new UsageError("a start or end time works with -s, -m, -u and -e, not with -p or -c");
  }
  const { cuts, dropFirst, endCut } = perCpuIndex ? { cuts: [], dropFirst: false, endCut: false } : await findCuts(t, o);
  const temps = new Map<string, { fd: number; bytes: number }>();
  const tempPath = (k: number, b: number, cpu: number) => `${output}.part${k}.${b}.cpu${cpu}`;
  let parts = 0;
  try {
    for (let b = 0; b < t.buffers.length; b++) {
      const info = t.buffers[b]!;
      const layout = { ...t.layout, pageSize: info.pageSize };
      const le = layout.littleEndian;
      const decoder = new PageDecoder(layout);
      const rec = createRawRecord();
      const piece = new Uint8Array(info.pageSize);
      const pieceView = new DataView(piece.buffer);
      for (const { cpu } of info.cpus) {
        const key = `${b}:${cpu}`;
        const cpuCuts = cuts.map((c) => c.get(key) ?? 0);
        let index = 0;
        let page = 0;
        const partOf = (i: number): number => {
          if (o.perCpu === true && o.by === "events") return Math.floor(i / o.every);
          if (o.by === "pages") return Math.floor(page / o.every);
          let p = 0;
          while (p < cpuCuts.length && cpuCuts[p]! <= i) p++;
          return p;
        };
        const emit = (k: number, bytes: Uint8Array) => {
          const part = dropFirst ? k - 1 : k;
          // Before the start, after the end, or past the first part without -r: left out.
          if (part < 0 || (endCut && k >= cuts.length) || (!o.repeat && part > 0)) return;
          parts = Math.max(parts, part + 1);
          const path = tempPath(part, b, cpu);
          let f = temps.get(path);
          if (f === undefined) temps.set(path, (f = { fd: openSync(path, "w"), bytes: 0 }));
          for (let done = 0; done < bytes.length; ) done += writeSync(f.fd, bytes, done, bytes.length - done, f.bytes + done);
          f.bytes += bytes.length;
        };
        for await (const batch of t.cpuPages(b, cpu)) {
          const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
          for (let pos = 0; pos + info.pageSize <= batch.length; pos += info.pageSize, page++) {
            if (decoder.reset(batch, view, pos, cpu) !== "ok") continue;
            const dataStart = pos + layout.dataOffset;
            const c = pos + layout.commitOffset;
            const commitWord = layout.commitSize === 8 ? view.getUint32(le ? c : c + 4, le) : view.getUint32(c, le);
            // Runs of records of one part: [start, end) of the data, and the time before the run.
            let runPart = -1;
            let runStart = dataStart;
            let runEnd = dataStart;
            let runBaseTs = decoder.pageTs;
            let prevTs = decoder.pageTs;
            let first = true;
            const flush = () => {
              if (runPart < 0) return;
              const wholePage = runStart === dataStart && runEnd === dataStart + decoder.commitBytes;
              if (wholePage) {
                emit(runPart, batch.subarray(pos, pos + info.pageSize));
              } else {
                piece.fill(0);
                const tsAt = layout.timestampOffset;
                pieceView.setUint32(le ? tsAt : tsAt + 4, runBaseTs % TWO_32, le);
                pieceView.setUint32(le ? tsAt + 4 : tsAt, Math.floor(runBaseTs / TWO_32), le);
                // The first piece keeps the page's missed-events flags (and the stored count after its data).
                let flags = first ? commitWord & COMMIT_FLAGS : 0;
                const len = runEnd - runStart;
                piece.set(batch.subarray(runStart, runEnd), layout.dataOffset);
                if ((flags & COMMIT_MISSED_STORED) !== 0) {
                  const countAt = dataStart + decoder.commitBytes;
                  if (layout.dataOffset + len + layout.commitSize <= info.pageSize) piece.set(batch.subarray(countAt, countAt + layout.commitSize), layout.dataOffset + len);
                  else flags &= ~COMMIT_MISSED_STORED;
                }
                const word = (len | flags) >>> 0;
                const co = layout.commitOffset;
                if (layout.commitSize === 8) pieceView.setUint32(le ? co : co + 4, word, le);
                else pieceView.setUint32(co, word, le);
                emit(runPart, piece);
              }
              first = false;
            };
            for (;;) {
              const unitStart = decoder.position;
              if (!decoder.next(rec)) break;
              const part = partOf(index++);
              if (part !== runPart) {
                flush();
                runPart = part;
                runStart = unitStart;
                runBaseTs = prevTs;
              }
              runEnd = rec.pos + rec.len;
              prevTs = rec.ts;
            }
            flush();
          }
        }
      }
    }
    for (const f of temps.values()) {
      closeSync(f.fd);
      f.fd = -1;
    }
    const out: { path: string; result: TraceDatWriteResult }[] = [];
    const meta = metadataOf(t);
    for (let k = 0; k < Math.max(parts, 1); k++) {
      const buffers: TraceDatBuffer[] = t.buffers.map((info, b) => {
        const cpuFiles: (string | undefined)[] = [];
        for (const { cpu } of info.cpus) if (temps.has(tempPath(k, b, cpu))) cpuFiles[cpu] = tempPath(k, b, cpu);
        return { name: info.name, clock: info.clock, pageSize: info.pageSize, cpuFiles };
      });
      const path = splitPartName(output, k, o.repeat === true);
      out.push({ path, result: await writeTraceDat(path, meta, buffers, writeOptionsOf(t, o)) });
    }
    return out;
  } finally {
    for (const [path, f] of temps) {
      if (f.fd >= 0) closeSync(f.fd);
      try {
        unlinkSync(path);
      } catch {
        // gone
      }
    }
  }
}
