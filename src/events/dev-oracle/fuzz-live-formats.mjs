// Live-kernel formats + random payloads -> synthetic trace.dat -> ftk vs trace-cmd, event text by event.
import { readFileSync, readdirSync, existsSync, writeFileSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { writeTraceDat } from "/work/main/dist/tracedat/index.js";
import { EventTable } from "/work/main/dist/events/index.js";
const LE = !process.env.BE;
const HEADER_PAGE = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";
const HEADER_EVENT = "# compressed entry header\n\ttype_len    :    5 bits\n\ttime_delta  :   27 bits\n\tarray       :   32 bits\n\n\tpadding     : type == 29\n\ttime_extend : type == 30\n\ttime_stamp : type == 31\n\tdata max type_len  == 28\n";
let seed = Number(process.argv[2] ?? 1);
const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
const root = "/sys/kernel/tracing/events";
const systems = new Map(); const ftrace = [];
const t = new EventTable({ littleEndian: true, longSize: 8, kernelLongSize: 8 });
const recs = [];
for (const sys of readdirSync(root)) {
  const sd = root + "/" + sys; if (!existsSync(sd + "/enable")) continue;
  let evs; try { evs = readdirSync(sd); } catch { continue; }
  for (const e of evs) {
    const p = sd + "/" + e + "/format"; if (!existsSync(p)) continue;
    const text = readFileSync(p, "latin1");
    if ((process.env.EXCLUDE ?? "").split(",").includes(sys + ":" + e)) continue;
    const ev = t.addFormat(text, sys); if (!ev) continue;
    if (sys === "ftrace") { if (["function", "funcgraph_entry", "funcgraph_exit"].includes(e)) continue; ftrace.push(text); }
    else { if (!systems.has(sys)) systems.set(sys, []); systems.get(sys).push(text); }
    let size = 8; for (const f of ev.fields) size = Math.max(size, f.offset + f.size);
    size = (size + 3) & ~3; const dyn = size; size += 32;
    const b = new Uint8Array(size); const v = new DataView(b.buffer);
    for (let i = 8; i < dyn; i++) b[i] = (rnd() % 4 === 0) ? rnd() & 255 : (rnd() % 3 === 0 ? 0 : rnd() % 8);
    for (let i = dyn; i < size; i++) b[i] = 0x61 + (rnd() % 26);
    b[size - 1] = 0;
    for (const f of ev.fields) if (f.isDynamic && f.size === 4) { const len = 1 + (rnd() % 8); const off = dyn + (rnd() % 16); v.setUint32(f.offset, ((len << 16) | (f.isRelLoc ? off - f.offset - 4 : off)) >>> 0, LE); b[off + len - 1] = 0; }
    v.setUint16(0, ev.id, LE); v.setInt32(4, 1, LE);
    recs.push({ name: sys + ":" + e, b });
  }
}
// pages
const pages = []; let page = new Uint8Array(4096), pv = new DataView(page.buffer), pos = 16;
const flush = () => { pv.setBigUint64(0, 1000000000n, LE); pv.setBigUint64(8, BigInt(pos - 16), LE); pages.push(page); page = new Uint8Array(4096); pv = new DataView(page.buffer); pos = 16; };
const order = [];
for (const r of recs) {
  const need = 8 + r.b.length; if (pos + need > 4096) flush();
  pv.setUint32(pos, LE ? (1000 << 5) : 1000, LE); pv.setUint32(pos + 4, r.b.length + 4, LE); page.set(r.b, pos + 8); pos += need; order.push(r.name);
}
flush();
const dir = mkdtempSync("/tmp/ev-fuzz-");
const all = new Uint8Array(pages.length * 4096); pages.forEach((p, i) => all.set(p, i * 4096));
writeFileSync(dir + "/cpu0", all);
await writeTraceDat(dir + "/t.dat", { headerPage: HEADER_PAGE, headerEvent: HEADER_EVENT, ftraceFormats: ftrace, eventFormats: [...systems].map(([system, formats]) => ({ system, formats })),
  kallsyms: "ffffffff81001000 T do_one\nffffffff81001100 T do_two\nffffffff81002000 T schedule\n", printkFormats: "", savedCmdlines: "1 init\n" },
  [{ name: "", clock: "local", pageSize: 4096, cpuFiles: [dir + "/cpu0"] }], { version: 6, compression: "none", pageSize: 4096, cpuCount: 1, littleEndian: LE, longSize: Number(process.env.LONG ?? 8) });
const flags = process.argv.slice(3);
let tcOut; let crashed = false;
try { tcOut = execFileSync("stdbuf", ["-oL", "trace-cmd", "report", "-i", dir + "/t.dat", ...flags], { stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 28 }); } catch (e) { tcOut = e.stdout; crashed = e.signal; }
let tc = tcOut.toString("latin1").split("\n"); if (crashed) tc = tc.slice(0, -1);
const me = execFileSync("node", ["/work/main/bin/ftk", "report", "-i", dir + "/t.dat", ...flags], { maxBuffer: 1 << 28 }).toString("latin1").split("\n");
let bad = 0;
for (let i = 0; i < (crashed ? tc.length : Math.max(tc.length, me.length)); i++) {
  if (tc[i] === me[i]) continue;
  bad++; if (bad <= Number(process.env.N ?? 15)) console.log(`#${i}\n  tc: ${JSON.stringify((tc[i] ?? "").slice(0, 300))}\n  me: ${JSON.stringify((me[i] ?? "").slice(0, 300))}`);
}
if (crashed) { const last = tc[tc.length - 1] ?? ""; const m = /: ([a-z0-9_]+):/.exec(last); const idx = order.findIndex((n) => n.endsWith(":" + (m ? m[1] : "?"))); console.log("last", m && m[1], "next", order.slice(idx + 1, idx + 3)); }
console.log("crashed", crashed, "records", recs.length, "lines", tc.length, "mismatches:", bad, dir);
