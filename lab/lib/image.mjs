// Builds the lab initramfs from the current checkout: busybox init, node + trace-cmd with their
// shared libraries and libtraceevent plugins, the built ftk (dist/, bin/, package.json, runtime
// node_modules) and the guest runner with its plan. Cached under lab/cache by a hash of every input.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, unlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { CpioWriter } from "./cpio.mjs";

/** Where Debian's libtraceevent1-plugin puts the plugins (the path compiled into libtraceevent). */
export const PLUGIN_DIR = "/usr/lib/x86_64-linux-gnu/traceevent/plugins";

/** Shared libraries a binary needs, as the absolute paths ldd resolves (loader included). */
function sharedLibraries(binary) {
  const out = execFileSync("ldd", [binary], { encoding: "utf8" });
  const libs = [];
  for (const line of out.split("\n")) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]);
  }
  return libs;
}

/** Every file under `dir` (relative paths, sorted), following the filter on relative paths. */
function walk(dir, keep = () => true, base = dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const rel = relative(base, full);
    if (!keep(rel)) continue;
    const st = lstatSync(full);
    if (st.isDirectory()) files.push(...walk(full, keep, base));
    else if (st.isFile() || st.isSymbolicLink()) files.push(rel);
  }
  return files;
}

/** The runtime package closure of the checkout's `dependencies` (dev and @types packages left out). */
function runtimePackages(repo) {
  const seen = new Set();
  const visit = (pkgDir) => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (dep.startsWith("@types/")) continue;
      const nested = join(pkgDir, "node_modules", dep);
      const dir = existsSync(nested) ? nested : join(repo, "node_modules", dep);
      if (!existsSync(dir) || seen.has(dir)) continue;
      seen.add(dir);
      visit(dir);
    }
  };
  visit(repo);
  return [...seen].sort();
}

/**
 * Collects the image's entries: [path, {dir} | {src, mode} | {data, mode} | {link}], parents first.
 * `guestDir` holds init and the runner; `plan` is the JSON the runner executes.
 */
export function imageEntries({ repo, guestDir, plan }) {
  const entries = new Map();
  const addDirs = (path) => {
    const parts = path.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const d = "/" + parts.slice(0, i).join("/");
      if (!entries.has(d)) entries.set(d, { dir: true });
    }
  };
  const add = (path, entry) => {
    addDirs(path);
    entries.set(path, entry);
  };
  const copy = (path, src, mode) => add(path, { src, mode: mode ?? (statSync(src).mode & 0o777) });

  for (const d of ["/dev", "/proc", "/sys", "/tmp", "/run", "/root", "/work", "/etc", "/var/tmp"]) add(d, { dir: true });
  add("/etc/passwd", { data: "root:x:0:0:root:/root:/bin/sh\n", mode: 0o644 });
  add("/etc/group", { data: "root:x:0:\n", mode: 0o644 });

  // busybox first, then its applets as symlinks (never over busybox itself).
  copy("/bin/busybox", "/bin/busybox", 0o755);
  const applets = execFileSync("/bin/busybox", ["--list-full"], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const a of applets) {
    const path = "/" + a;
    if (path === "/bin/busybox" || entries.has(path)) continue;
    add(path, { link: "/bin/busybox" });
  }

  // strace: the oracle of `ftk trace` in the guest (scenario 08), when the host has it.
  const binaries = ["/usr/bin/node", "/usr/bin/trace-cmd", ...(existsSync("/usr/bin/strace") ? ["/usr/bin/strace"] : [])];
  const plugins = existsSync(PLUGIN_DIR) ? readdirSync(PLUGIN_DIR).filter((f) => f.endsWith(".so")).sort() : [];
  const ftkFiles = [];
  for (const sub of ["dist", "bin"]) {
    for (const rel of walk(join(repo, sub), (r) => !r.endsWith(".map") && !r.endsWith(".d.ts"))) ftkFiles.push(join(sub, rel));
  }
  ftkFiles.push("package.json");
  for (const pkgDir of runtimePackages(repo)) {
    for (const rel of walk(pkgDir, (r) => !r.startsWith("deps") && !r.includes("obj.target") && r !== "node_modules")) {
      ftkFiles.push(join(relative(repo, pkgDir), rel));
    }
  }
  const natives = ftkFiles.filter((f) => f.endsWith(".node")).map((f) => join(repo, f));

  const libs = new Set();
  for (const b of [...binaries, ...plugins.map((p) => join(PLUGIN_DIR, p)), ...natives]) {
    for (const l of sharedLibraries(b)) libs.add(l);
  }
  for (const b of binaries) copy(b, b, 0o755);
  for (const l of [...libs].sort()) copy(l, l, 0o755);
  for (const p of plugins) copy(join(PLUGIN_DIR, p), join(PLUGIN_DIR, p), 0o755);

  for (const f of ftkFiles) {
    const src = join(repo, f);
    const st = lstatSync(src);
    if (st.isSymbolicLink()) add("/ftk/" + f, { link: readlinkSync(src) });
    else copy("/ftk/" + f, src);
  }
  add("/usr/bin/ftk", { link: "/ftk/bin/ftk" });

  copy("/init", join(guestDir, "init"), 0o755);
  for (const f of readdirSync(guestDir).filter((n) => n.endsWith(".mjs")).sort()) copy("/lab/" + f, join(guestDir, f), 0o644);
  add("/lab/plan.json", { data: JSON.stringify(plan, null, 1) + "\n", mode: 0o644 });

  // Parents before children: sort by path, which puts "/a" before "/a/b".
  return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A hash of every entry's path, mode and content: the image's cache key. */
export function hashEntries(entries) {
  const h = createHash("sha256");
  for (const [path, e] of entries) {
    h.update(path + "\0");
    if (e.dir) h.update("d\0");
    else if (e.link !== undefined) h.update("l\0" + e.link + "\0");
    else {
      h.update(`f${e.mode}\0`);
      h.update(e.data ?? readFileSync(e.src));
    }
  }
  return h.digest("hex").slice(0, 16);
}

/** Writes the entries as an uncompressed initramfs (the kernel copies it; no decompression under TCG). */
export function writeImage(entries, path) {
  const tmp = path + ".tmp";
  const w = new CpioWriter(tmp);
  for (const [p, e] of entries) {
    if (e.dir) w.dir(p);
    else if (e.link !== undefined) w.symlink(p, e.link);
    else if (e.data !== undefined) w.file(p, e.data, e.mode);
    else w.copy(p, e.src, e.mode);
  }
  w.close();
  renameSync(tmp, path);
}

/** Returns the cached image for these inputs, building it (and dropping older ones) when missing. */
export function ensureImage({ repo, guestDir, plan, cacheDir, log }) {
  const entries = imageEntries({ repo, guestDir, plan });
  const key = hashEntries(entries);
  const path = join(cacheDir, `initramfs-${key}.cpio`);
  if (existsSync(path)) {
    log(`image: cached ${relative(repo, path)}`);
    return { path, built: false };
  }
  for (const old of readdirSync(cacheDir).filter((n) => /^initramfs-.*\.cpio/.test(n))) unlinkSync(join(cacheDir, old));
  writeImage(entries, path);
  log(`image: built ${relative(repo, path)} (${(statSync(path).size / 1048576).toFixed(0)} MiB, ${entries.length} entries)`);
  return { path, built: true };
}

