// Runs a command bundled as a classic script (tools/bundle.mjs: `report`) with a V8 code cache kept in the
// user's cache directory (issue 11). Node 20 has no compile cache, and Node 22's caches a module as compiled,
// before its functions run; this cache is taken at exit, so it also holds the functions a report compiled
// lazily: most of what a small report spends after node's own start.
// Safety: a code cache is code. It is read only from a directory and file that this user owns and nobody
// else may write (no sudo with another user's HOME); its name carries the script's path, size, mtime and
// inode and the Node version, and V8 rejects a cache from another V8, flags or source length. Any failure
// means running without the cache, silently. NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch) turns it off.
// Builtins are imported as usual: the bundle takes them by require() (tools/bundle.mjs, builtinsByRequire).
import { closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { codePathsUsed, shortLivedFlagUndos } from "../base/index.js";

/** What happened to the code cache of a script run by runCachedScript(). */
export type CacheState = "off" | "none" | "accepted" | "rejected";

export interface CachedScript {
  exports: Record<string, unknown>;
  cache: CacheState;
}

/** The cache directory: $XDG_CACHE_HOME/ftk or ~/.cache/ftk; undefined when there is no home. */
function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg.startsWith("/")) return join(xdg, "ftk");
  try {
    const home = homedir();
    return home.startsWith("/") ? join(home, ".cache", "ftk") : undefined;
  } catch {
    return undefined;
  }
}

/** 32-bit FNV-1a of a string, as 8 hex digits: a file name, not a check (V8 and the owner check are). */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** Owned by this user and writable by nobody else. */
function ownedAndPrivate(st: { uid: number; mode: number }): boolean {
  return st.uid === process.geteuid?.() && (st.mode & 0o022) === 0;
}

/** The cache file's bytes, or undefined when it is absent or not to be trusted. */
function readCache(dir: string, file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    if (!ownedAndPrivate(statSync(dir))) return undefined;
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedAndPrivate(st)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The code paths named by the cache file `stem`*.v8cache (the one that names most, if a race left two), or undefined. */
function findCache(dir: string, stem: string): string[] | undefined {
  let best: string[] | undefined;
  try {
    for (const n of readdirSync(dir)) {
      if (!n.startsWith(stem) || !n.endsWith(CACHE_SUFFIX)) continue;
      const listed = n.slice(stem.length, -CACHE_SUFFIX.length);
      if (!/^[a-z0-9.]*$/.test(listed)) continue;
      const paths = listed === "" ? [] : listed.split(".");
      if (best === undefined || paths.length > best.length) best = paths;
    }
  } catch {
    // No directory yet.
  }
  return best;
}

/**
 * Writes the cache that `data()` makes (a temporary file renamed into place) and removes the script's
 * other caches, and all but the newest others beyond MAX_CACHES. data() is called only once the file can
 * be written (it costs ~3 ms).
 */
function writeCache(dir: string, file: string, prefix: string, data: () => Buffer): void {
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedAndPrivate(statSync(dir))) return;
    const tmp = `${file}.${process.pid}.tmp`;
    fd = openSync(tmp, "wx", 0o600);
    writeFileSync(fd, data());
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
    const others: { path: string; mtime: number }[] = [];
    for (const name of readdirSync(dir)) {
      const other = join(dir, name);
      if (!name.endsWith(CACHE_SUFFIX) || other === file) continue;
      if (name.startsWith(prefix)) unlinkSync(other);
      else others.push({ path: other, mtime: statSync(other).mtimeMs });
    }
    // Caches of other installs and Node versions: the newest MAX_CACHES - 1 stay.
    others.sort((a, b) => b.mtime - a.mtime);
    for (const o of others.slice(MAX_CACHES - 1)) unlinkSync(o.path);
  } catch {
    // A cache that cannot be written costs the next run its compile time, nothing more.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A cache holds what its run compiled (`report -h` compiles little; a report of a compressed file with
 * kernel symbols much more), and its file name lists the parts of the code that the runs it holds used
 * (noteCodePath()). A later run that used a part not listed there widens it at exit; other runs leave it
 * alone, since the check (making the cache anew) costs ~5-15 ms. Runs that fail (a bad flag or file) do
 * not count.
 */
const CACHE_SUFFIX = ".v8cache";

/** At most this many caches are kept in the directory (other scripts, installs and Node versions): the oldest go. */
const MAX_CACHES = 16;

/**
 * Runs `file`, a script of the form `(function (exports, require, module, importModule, scriptUrl) {...})`,
 * and returns its exports (scriptUrl: the file's URL, what import.meta.url was in its modules). `modules` answers its require() calls for relative paths; node: builtins come from Node;
 * `importModule` stands for import() (a cached script cannot call import() itself on Node 20-24).
 */
export function runCachedScript(
  file: URL,
  modules: Record<string, unknown>,
  importModule: (specifier: string) => Promise<unknown>,
  env: NodeJS.ProcessEnv = process.env,
): CachedScript {
  const path = fileURLToPath(file);
  const source = readFileSync(path, "latin1");
  const st = statSync(path);
  const dir = env.NODE_DISABLE_COMPILE_CACHE === undefined || env.NODE_DISABLE_COMPILE_CACHE === "" ? cacheDir(env) : undefined;
  let cachedData: Buffer | undefined;
  let cache: CacheState = "off";
  if (dir !== undefined) {
    // One cache per script and Node: a new one replaces those of older builds of the script.
    const prefix = `${fnv(path)}-${fnv(`${process.version} ${process.arch}`)}-`;
    const stem = `${prefix}${fnv(`${st.size} ${st.mtimeMs} ${st.ino}`)}-`;
    const name = (paths: readonly string[]): string => join(dir, `${stem}${paths.join(".")}${CACHE_SUFFIX}`);
    const found = findCache(dir, stem);
    if (found !== undefined) cachedData = readCache(dir, name(found));
    const script = compile(source, path, cachedData);
    cache = cachedData === undefined ? "none" : script.cachedDataRejected === true ? "rejected" : "accepted";
    // At exit: the cache then holds the functions this run compiled, not only the top level.
    if (cache !== "accepted") process.once("exit", () => writeCache(dir, name(codePathsUsed()), prefix, () => cacheData(script)));
    else {
      const old = cachedData!.length;
      process.once("exit", (code) => {
        const had = new Set(found);
        const used = codePathsUsed();
        if (code !== 0 || used.every((p) => had.has(p))) return;
        const both = [...new Set([...found!, ...used])].sort();
        const data = cacheData(script);
        if (data.length > old * 1.01) writeCache(dir, name(both), prefix, () => data);
        // Nothing new compiled after all: the name still records that these parts were tried.
        else renameQuietly(name(found!), name(both));
      });
    }
    return { exports: run(script, file, modules, importModule), cache };
  }
  return { exports: run(compile(source, path, undefined), file, modules, importModule), cache };
}

/** The script's code cache, made under the V8 flags the process started with (V8 checks them). */
function cacheData(script: Script): Buffer {
  const undos = shortLivedFlagUndos();
  if (undos.length > 0) {
    // node:v8 only here (loading it brings Node's streams); the flags were set through it, so it is loaded.
    const { setFlagsFromString } = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
    for (const undo of undos) setFlagsFromString(undo);
  }
  return script.createCachedData();
}

function compile(source: string, filename: string, cachedData: Buffer | undefined): Script {
  return new Script(source, { filename, ...(cachedData !== undefined ? { cachedData } : {}) });
}

function renameQuietly(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // Another run got there first.
  }
}

function run(script: Script, file: URL, modules: Record<string, unknown>, importModule: (specifier: string) => Promise<unknown>): Record<string, unknown> {
  const nodeRequire = createRequire(file);
  const require = (id: string): unknown => (Object.hasOwn(modules, id) ? modules[id] : nodeRequire(id));
  // import() of a builtin as require() too (its exports are the same names); packages by import().
  const load = (id: string): Promise<unknown> => (id.startsWith("node:") ? Promise.resolve(nodeRequire(id)) : importModule(id));
  const module = { exports: {} as Record<string, unknown> };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, load, file.href);
  return module.exports;
}
