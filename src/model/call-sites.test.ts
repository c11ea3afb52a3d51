// The memory of the call-site tree (`ftk hist`). Its output matches trace-cmd's in cli/hist.test.ts; here,
// on the 418k-event bench file (178k nodes), the tree must cost well under 180 bytes a node (it cost 243
// when each node's first caller reserved a 16-slot array).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { repoRoot, sharedDir } from "../test-support/paths.js";

const BENCH = sharedDir() === undefined ? undefined : join(sharedDir()!, "fixtures", "bench", "lab-v7-zstd-x86_64-funcgraph-sched-syscalls-418k.dat");
const skip = BENCH === undefined || !existsSync(BENCH) ? "the 418k-event bench file of ../shared is missing" : false;

// Run in a child with --expose-gc, so that the heap is measured after a full collection.
const SCRIPT = `
const { openTrace } = await import(${JSON.stringify(pathToFileURL(join(repoRoot(), "dist", "tracedat", "index.js")).href)});
const { readCallSites } = await import(${JSON.stringify(pathToFileURL(join(repoRoot(), "dist", "model", "index.js")).href)});
const trace = await openTrace(process.argv[1]);
const count = (hs) => { let n = 0; const walk = (c) => { n++; c.parents.forEach(walk); }; for (const h of hs) h.chains.forEach(walk); return n; };
// Formats and kallsyms are read once, before the measure; in a function, so that no top-level
// temporary keeps this first tree alive.
async function warm() { return count(await readCallSites(trace)); }
await warm();
gc();
const base = process.memoryUsage().heapUsed;
const hs = await readCallSites(trace);
gc();
const bytes = process.memoryUsage().heapUsed - base;
console.log(JSON.stringify({ nodes: count(hs), bytes }));
`;

test("readCallSites() on the 418k-event bench file: the tree takes under 180 bytes a node", { skip }, () => {
  const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", SCRIPT, BENCH!], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const { nodes, bytes } = JSON.parse(r.stdout) as { nodes: number; bytes: number };
  assert.ok(nodes > 100_000, `${nodes} nodes`);
  // A node holds at least its fields: less means the measure missed the tree.
  assert.ok(bytes / nodes > 40, `${(bytes / nodes).toFixed(0)} bytes a node: the tree was not measured`);
  assert.ok(bytes / nodes < 180, `${(bytes / nodes).toFixed(0)} bytes a node (${nodes} nodes)`);
});
