// Oracle: synthetic trace.dat with custom formats -> compare `ftk report` and `trace-cmd report` text.
import { writeFileSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { writeTraceDat } from "/work/main/dist/tracedat/index.js";
const HEADER_PAGE = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";
const HEADER_EVENT = "# compressed entry header\n\ttype_len    :    5 bits\n\ttime_delta  :   27 bits\n\tarray       :   32 bits\n\n\tpadding     : type == 29\n\ttime_extend : type == 30\n\ttime_stamp : type == 31\n\tdata max type_len  == 28\n";
const COMMON = "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n";
// Cases: [fields, printFmt, payload filler(view, bytes)] ; payload size 64
const F = (t) => "\tfield:" + t + "\n";
const A = F("int a;\toffset:8;\tsize:4;\tsigned:1;"), B = F("int b;\toffset:12;\tsize:4;\tsigned:1;"), C = F("int c;\toffset:16;\tsize:4;\tsigned:1;");
const P = F("unsigned long p;\toffset:24;\tsize:8;\tsigned:0;");
let cases = (await import(process.argv[2])).default({ A, B, C, P, F });
if (process.env.ONLY) cases = process.env.ONLY.split(",").map((i) => cases[Number(i)]);
const systems = new Map();
cases.forEach(([fields, pf, , , sys = "test", name], i) => { const t = `name: ${name ?? "ev" + i}\nID: ${1000 + i}\nformat:\n${COMMON}\n${fields.join("")}\nprint fmt: ${pf}\n`; if (!systems.has(sys)) systems.set(sys, []); systems.get(sys).push(t); });
const page = new Uint8Array(4096); const v = new DataView(page.buffer);
v.setBigUint64(0, 1000000000n, true);
let pos = 16;
cases.forEach(([, , fill, size = 64], i) => {
  v.setUint32(pos, 0 | (1000 << 5), true); v.setUint32(pos + 4, size + 4, true);
  const pay = new Uint8Array(page.buffer, pos + 8, size); const pv = new DataView(page.buffer, pos + 8, size);
  pv.setUint16(0, 1000 + i, true); pv.setInt32(4, 42, true);
  fill(pv, pay);
  pos += 8 + size;
});
v.setBigUint64(8, BigInt(pos - 16), true);
const dir = mkdtempSync("/tmp/ev-oracle-");
writeFileSync(dir + "/cpu0", page);
await writeTraceDat(dir + "/t.dat", { headerPage: HEADER_PAGE, headerEvent: HEADER_EVENT, ftraceFormats: systems.get("ftrace") ?? [], eventFormats: [...systems].filter(([s]) => s !== "ftrace").map(([system, formats]) => ({ system, formats })),
  kallsyms: "ffffffff81001000 T do_one\nffffffff81001100 T do_two\nffffffff81002000 T schedule\n", printkFormats: '0xffffffff82000000 : "a const string\\n"\n0xffffffff82000100 : "value=%d name=%s\\n"\n0xffffffff82000200 : "w=%*d|%-8s|%pS|%p|%lx|%llu|%hx|%c|%pM\\n"\n0xffffffff82000300 : "two\\nlines %d"\n', savedCmdlines: "42 worker\n" },
  [{ name: "", clock: "local", pageSize: 4096, cpuFiles: [dir + "/cpu0"] }], { version: 6, compression: "none", pageSize: 4096, cpuCount: 1, littleEndian: true, longSize: 8 });
const flags = process.argv.slice(3);
const tc = execFileSync("trace-cmd", ["report", "-i", dir + "/t.dat", ...flags], { stdio: ["ignore", "pipe", "ignore"] }).toString("latin1").split("\n");
const me = execFileSync("node", ["/work/main/bin/ftk", "report", "-i", dir + "/t.dat", ...flags]).toString("latin1").split("\n");
const txt = (l) => l.replace(/^.*?\d: [a-z_0-9]+: */, "");
let bad = 0;
for (let i = 0; i < Math.max(tc.length, me.length); i++) {
  if (tc[i] === me[i]) { if (process.env.SHOW) console.log("ok ", txt(tc[i] ?? "")); continue; }
  bad++; console.log(`#${i}\n  tc: ${JSON.stringify(txt(tc[i] ?? ""))}\n  me: ${JSON.stringify(txt(me[i] ?? ""))}`);
}
console.log("mismatches:", bad, "of", tc.length);
