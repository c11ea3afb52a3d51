// Host preparation for the lab: Debian packages (installed with apt only when missing) and the
// Debian 6.1 cloud kernel (downloaded once into the cache). Everything runs through execFile argv.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Debian packages the lab needs on the host, and a file each one provides. */
const PACKAGES = [
  ["qemu-system-x86", "/usr/bin/qemu-system-x86_64"],
  ["busybox-static", "/bin/busybox"],
  ["trace-cmd", "/usr/bin/trace-cmd"],
  ["libtraceevent1-plugin", "/usr/lib/x86_64-linux-gnu/traceevent/plugins/plugin_function.so"],
];

/** The meta package whose dependency names the current Debian 6.1 cloud kernel. */
const KERNEL_META = "linux-image-cloud-amd64";

function installed(pkg) {
  try {
    return execFileSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" }).includes("install ok installed");
  } catch {
    return false;
  }
}

function apt(args, log) {
  log(`apt-get ${args.join(" ")}`);
  execFileSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

/** Installs the missing packages (apt-get update first, only when something is missing). */
export function ensurePackages(log) {
  const missing = PACKAGES.filter(([pkg, file]) => !installed(pkg) || !existsSync(file)).map(([pkg]) => pkg);
  if (missing.length === 0) return false;
  apt(["update"], log);
  apt(["install", "-y", "--no-install-recommends", ...missing], log);
  return true;
}

function kernelPackageName(log) {
  const ask = () => {
    try {
      const out = execFileSync("apt-cache", ["depends", KERNEL_META], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      return /Depends:\s*(linux-image-6\.1\.\S+-cloud-amd64)\b/.exec(out)?.[1];
    } catch {
      return undefined;
    }
  };
  let name = ask();
  if (name === undefined) {
    apt(["update"], log);
    name = ask();
  }
  if (name === undefined) throw new Error(`lab: no 6.1 cloud kernel found through '${KERNEL_META}': check the Debian sources`);
  return name;
}

/** Path of the cached lab kernel (FTK_LAB_KERNEL overrides), downloading and extracting it if needed. */
export function ensureKernel(cacheDir, log) {
  if (process.env.FTK_LAB_KERNEL) return process.env.FTK_LAB_KERNEL;
  const dir = join(cacheDir, "kernel");
  mkdirSync(dir, { recursive: true });
  const cached = readdirSync(dir).filter((n) => /^vmlinuz-6\.1\..*-cloud-amd64$/.test(n)).sort();
  if (cached.length > 0) return join(dir, cached[cached.length - 1]);
  const pkg = kernelPackageName(log);
  const work = join(dir, "download");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  log(`kernel: apt-get download ${pkg}`);
  execFileSync("apt-get", ["download", pkg], { cwd: work, stdio: ["ignore", "ignore", "ignore"] });
  const deb = readdirSync(work).find((n) => n.endsWith(".deb"));
  if (deb === undefined) throw new Error(`lab: apt-get download '${pkg}' produced no .deb`);
  execFileSync("dpkg-deb", ["-x", join(work, deb), join(work, "root")]);
  const boot = join(work, "root", "boot");
  const vmlinuz = readdirSync(boot).find((n) => n.startsWith("vmlinuz-"));
  const config = readdirSync(boot).find((n) => n.startsWith("config-"));
  if (vmlinuz === undefined) throw new Error(`lab: no vmlinuz in '${deb}'`);
  if (config !== undefined) renameSync(join(boot, config), join(dir, config));
  renameSync(join(boot, vmlinuz), join(dir, vmlinuz));
  rmSync(work, { recursive: true, force: true });
  return join(dir, vmlinuz);
}
