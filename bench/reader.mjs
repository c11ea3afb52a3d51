// Micro benchmark of the trace.dat reader: decodes every record of the bench files (no formatting)
// and prints records/s. Usage: npm run build && node bench/reader.mjs [FILE.dat ...]
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { openTrace, RecordMerger } from "../dist/index.js";

const benchDir = new URL("../../shared/fixtures/bench/", import.meta.url).pathname;
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(benchDir).filter((f) => f.endsWith(".dat")).map((f) => join(benchDir, f));

for (const path of files) {
  for (const mode of ["per-cpu", "merged"]) {
    const t0 = performance.now();
    const trace = await openTrace(path);
    const tOpen = performance.now() - t0;
    let n = 0;
    let dropped = 0;
    const streams = [];
    for (let b = 0; b < trace.buffers.length; b++) for (let c = 0; c < trace.cpus; c++) streams.push({ stream: trace.cpuStream(b, c), fileIndex: 0, bufferIndex: b });
    if (mode === "per-cpu") {
      for (const { stream } of streams) {
        for (;;) {
          let r = stream.advanceSync();
          if (r === "need-io") r = await stream.advance();
          if (!r) break;
          n++;
          if (stream.record.missedEvents !== 0) dropped++;
        }
      }
    } else {
      const merger = new RecordMerger(streams);
      for (;;) {
        let r = merger.nextSync();
        if (r === "need-io") r = await merger.next();
        if (r === undefined) break;
        n++;
        if (r.rec.missedEvents !== 0) dropped++;
      }
    }
    await trace.close();
    const ms = performance.now() - t0;
    const rss = (process.memoryUsage().rss / 1048576).toFixed(0);
    console.log(`${path.split("/").pop()} ${mode}: ${n} records (${dropped} after drops) in ${ms.toFixed(0)} ms ` +
      `(open ${tOpen.toFixed(0)} ms) = ${((n / ms) * 1000 / 1e6).toFixed(2)} M records/s, rss ${rss} MiB`);
  }
}
