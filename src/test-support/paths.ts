// Test-only helpers: where the repository and ../shared are. Not exported by the library.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the folder holding package.json), found from this compiled file. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** The shared reference folder (FTK_SHARED, else ../shared beside the checkout), or undefined when absent. */
export function sharedDir(): string | undefined {
  const dir = process.env["FTK_SHARED"] ?? resolve(repoRoot(), "..", "shared");
  return existsSync(join(dir, "fixtures")) ? dir : undefined;
}

/** Skip reason for tests that need ../shared, or false when it is there. */
export function skipWithoutShared(): string | false {
  return sharedDir() === undefined ? "../shared not found (set FTK_SHARED to its path)" : false;
}

/** The ftk launcher, for spawn tests. */
export function ftkBin(): string {
  return join(repoRoot(), "bin", "ftk");
}
