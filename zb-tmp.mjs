import { readFileSync } from "node:fs";
const chunks = JSON.parse(readFileSync("/tmp/p11r/chunks.json", "utf8")).map(([b, u]) => [Buffer.from(b, "base64"), u]);
const c0 = process.cpuUsage(); let t = performance.now();
const { ZSTDDecoder } = await import("zstddec"); const z = new ZSTDDecoder(); await z.init();
console.log("init", (performance.now() - t).toFixed(0));
for (let r = 0; r < 1; r++) {
  t = performance.now(); let n = 0; for (const [c, u] of chunks) n += z.decode(c, u).length; const c = process.cpuUsage(c0); console.log(process.execArgv.join(" "), "zstddec", (performance.now() - t).toFixed(0), "cpu so far", ((c.user + c.system) / 1e3).toFixed(0));
}
