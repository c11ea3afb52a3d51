// Dev-only: node scripts/trace-without-kallsyms.mjs IN.dat OUT.dat copies a v7 zstd trace.dat without its
// kallsyms (formats, cmdlines and raw pages kept), for small fixtures such as test/fixtures/ufuncgraph/.
import { createRequire } from "node:module";
import { open, writeFile } from "node:fs/promises";
const m = await import(new URL("../dist/index.js", import.meta.url).href);
const zstd = createRequire(import.meta.url)("zstd-napi");
const [src, dst] = process.argv.slice(2);
const t = await m.openTrace(src);
const fh = await open(src, "r");
const cpuFiles = [];
for (const c of t.buffers[0].cpus) {
  const head = Buffer.alloc(8);
  let pos = c.fileOffset;
  await fh.read(head, 0, 4, pos); const count = head.readUInt32LE(0); pos += 4;
  const parts = [];
  for (let i = 0; i < count; i++) {
    await fh.read(head, 0, 8, pos); const cs = head.readUInt32LE(0); pos += 8;
    const z = Buffer.alloc(cs); await fh.read(z, 0, cs, pos); pos += cs;
    parts.push(Buffer.from(zstd.decompress(z)));
  }
  const f = `${dst}.cpu${c.cpu}`; await writeFile(f, Buffer.concat(parts)); cpuFiles[c.cpu] = f;
}
const bySys = new Map();
for (const e of t.eventFormats) { if (!bySys.has(e.system)) bySys.set(e.system, []); bySys.get(e.system).push(e.text); }
await m.writeTraceDat(dst, { headerPage: t.headerPage, headerEvent: t.headerEvent, ftraceFormats: t.ftraceFormats, eventFormats: [...bySys].map(([system, formats]) => ({ system, formats })), kallsyms: "", printkFormats: t.printkFormats, savedCmdlines: t.savedCmdlines },
  [{ name: "", clock: t.buffers[0].clock, pageSize: t.pageSize, cpuFiles }], { pageSize: t.pageSize, cpuCount: t.cpus, traceClock: t.traceClock, uname: t.uname, traceCmdVersion: t.traceCmdVersion });
await fh.close(); await t.close();
