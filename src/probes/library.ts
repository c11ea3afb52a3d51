// Turns `-x` arguments into file paths: a path as given, a short library name (`libc`, `libm.so.6`)
// through /etc/ld.so.cache (glibc "glibc-ld.so.cache1.1" format, with or without the old
// "ld.so-1.7.0" prefix) or through /proc/PID/maps when a pid is given, else a program on $PATH.
// Reads are synchronous: small files, each cheaper than a trip through the thread pool.
import { readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { ProbeError } from "../base/index.js";

const NEW_MAGIC = "glibc-ld.so.cache1.1";
const OLD_MAGIC = "ld.so-1.7.0";
const NEW_HEADER_SIZE = 48;
const NEW_ENTRY_SIZE = 24;
const OLD_HEADER_SIZE = 16;
const OLD_ENTRY_SIZE = 12;

/** One library of the ld.so cache. */
export interface LdCacheEntry {
  /** The soname-like key, e.g. `libc.so.6`. */
  key: string;
  /** Full path, e.g. `/lib/x86_64-linux-gnu/libc.so.6`. */
  path: string;
  /** Cache flags: low byte the kind (3 = libc6), next byte the ABI (0x03 x86-64, 0x0a aarch64, ...). */
  flags: number;
}

/** Cache flags describing libraries of the running process's own ABI (Linux, glibc). */
function hostCacheFlags(): number | undefined {
  switch (process.arch) {
    case "x64": return 0x0303;
    case "arm64": return 0x0a03;
    case "ia32": return 0x0003;
    default: return undefined;
  }
}

function cString(buf: Buffer, pos: number): string {
  const end = buf.indexOf(0, pos);
  return buf.toString("latin1", pos, end < 0 ? buf.length : end);
}

/**
 * Parses the bytes of /etc/ld.so.cache; entries in cache order. Throws ProbeError for an unknown format.
 * String offsets of the new format are relative to the start of its header (glibc dl-cache.h).
 * `keyPrefixes`: only the entries whose key starts with one of them (the others' strings are not decoded).
 */
export function parseLdSoCache(buf: Buffer, path = "/etc/ld.so.cache", keyPrefixes?: readonly string[]): LdCacheEntry[] {
  let base = 0;
  if (buf.toString("latin1", 0, OLD_MAGIC.length) === OLD_MAGIC) {
    const nlibs = buf.readUInt32LE(12);
    base = OLD_HEADER_SIZE + nlibs * OLD_ENTRY_SIZE;
    base = (base + 7) & ~7; // the new header follows, aligned like its struct
  }
  if (buf.toString("latin1", base, base + NEW_MAGIC.length) !== NEW_MAGIC) {
    throw new ProbeError(`cannot read '${path}': not a glibc ld.so cache (run 'ldconfig' or give the library path)`, {
      code: "bad-ld-cache", path,
    });
  }
  // The cache is written in host byte order; a foreign-endian cache shows as an absurd count.
  const le = buf.readUInt32LE(base + 20) <= buf.readUInt32BE(base + 20);
  const u32 = (pos: number): number => (le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos));
  const nlibs = u32(base + 20);
  const out: LdCacheEntry[] = [];
  const prefixes = keyPrefixes?.map((k) => Buffer.from(k, "latin1"));
  const keyStarts = (pos: number): boolean =>
    prefixes === undefined || prefixes.some((k) => pos + k.length <= buf.length && buf.compare(k, 0, k.length, pos, pos + k.length) === 0);
  for (let i = 0; i < nlibs; i++) {
    const p = base + NEW_HEADER_SIZE + i * NEW_ENTRY_SIZE;
    if (p + NEW_ENTRY_SIZE > buf.length) break;
    if (!keyStarts(base + u32(p + 4))) continue;
    out.push({ flags: u32(p), key: cString(buf, base + u32(p + 4)), path: cString(buf, base + u32(p + 8)) });
  }
  return out;
}

/** Reads and parses an ld.so cache file (default /etc/ld.so.cache); `keyPrefixes` as parseLdSoCache's. */
export async function readLdSoCache(path = "/etc/ld.so.cache", keyPrefixes?: readonly string[]): Promise<LdCacheEntry[]> {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new ProbeError(`cannot read '${path}': ${(e as Error).message}`, { code: "bad-ld-cache", path, cause: e });
  }
  return parseLdSoCache(buf, path, keyPrefixes);
}

/** True when `key` (a soname such as `libc.so.6`) is what the short name `name` means. */
function libraryNameMatches(key: string, name: string): boolean {
  if (key === name) return true;
  for (const stem of name.startsWith("lib") ? [name] : [name, `lib${name}`]) {
    if (key.startsWith(`${stem}.so`) || key.startsWith(`${stem}-`)) return true;
  }
  return false;
}

/** Paths of mapped files in /proc/PID/maps, in first-seen order. */
export async function readMappedFiles(pid: number): Promise<string[]> {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/maps`, "latin1");
  } catch (e) {
    throw new ProbeError(`cannot read '/proc/${pid}/maps': no process ${pid} (or not permitted): check the pid`, {
      code: "no-process", path: `/proc/${pid}/maps`, cause: e,
    });
  }
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    // address perms offset dev inode pathname (the path may contain spaces)
    const m = /^\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\/.*)$/.exec(line);
    if (m !== null) seen.add(m[1]!.replace(/ \(deleted\)$/, ""));
  }
  return [...seen];
}

async function isFile(path: string): Promise<boolean> {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The file a `-x` argument names: a path (with a "/"), a library of process `pid` (/proc/PID/maps), a library
 * of the ld.so cache, or a program on $PATH. Throws ProbeError naming what was tried.
 */
export async function resolveBinary(name: string, options: { pid?: number; ldCachePath?: string } = {}): Promise<string> {
  if (name === "") throw new ProbeError("empty binary name: give a path or a library name such as 'libc'", { code: "no-binary" });
  if (name.includes("/")) {
    if (!(await isFile(name))) throw new ProbeError(`binary '${name}' not found: check the path`, { code: "no-binary", path: name });
    return name;
  }
  if (options.pid !== undefined) {
    const maps = await readMappedFiles(options.pid);
    const hit = maps.find((p) => libraryNameMatches(basename(p), name));
    if (hit !== undefined) return hit;
  }
  let cache: LdCacheEntry[] = [];
  try {
    // Every key libraryNameMatches() can take starts with the name or with lib + name.
    cache = await readLdSoCache(options.ldCachePath, name.startsWith("lib") ? [name] : [name, `lib${name}`]);
  } catch {
    // No usable cache: fall through to $PATH and the error below.
  }
  const host = hostCacheFlags();
  const matches = cache.filter((e) => libraryNameMatches(e.key, name));
  // Prefer the host ABI, then exact key, then a versioned soname (libc.so.6) over the dev symlink (libc.so).
  const rank = (e: LdCacheEntry): number =>
    (e.flags === host ? 0 : 4) + (e.key === name ? 0 : 2) + (/\.so\.\d/.test(e.key) ? 0 : 1);
  matches.sort((a, b) => rank(a) - rank(b));
  for (const m of matches) if (await isFile(m.path)) return m.path;
  for (const dir of (process.env["PATH"] ?? "").split(":")) {
    if (dir === "") continue;
    const p = join(dir, name);
    if (await isFile(p)) return p;
  }
  const where = options.pid !== undefined ? `the libraries of process ${options.pid}, ` : "";
  throw new ProbeError(`binary '${name}' not found in ${where}the ld.so cache or $PATH: give its path`, {
    code: "no-binary", path: name,
  });
}
