#!/usr/bin/env node
// Build step (issue 11): bundles the compiled CLI (dist/cli/main.js and every command it imports) into
// dist/bundle/ with esbuild, so that a command loads a handful of files instead of ~80 modules. bin/ftk
// runs it when it is at least as new as dist/cli/main.js. Packages stay external (loaded from
// node_modules, only by the commands that use them).
// Node's ESM loader costs about 1 ms per file on top of compiling it (bench/startup.mjs), so:
// - the commands in ONE_FILE are one file each (everything they may load, lazy parts included: V8 only
//   pre-parses a function until it is called, which costs less than another file);
// - the other commands share chunks (esbuild's code splitting: one chunk per set of commands using it);
// - base/ is one file, base.js, imported by all: its error classes are checked with instanceof by
//   main.js, so there must be one copy of them.
import { copyFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const out = new URL("../dist/bundle/", import.meta.url);
const dist = new URL("../dist/", import.meta.url).pathname;
/** Commands run many times a minute, whose start-up users feel (report of a small file). */
const ONE_FILE = ["report"];

/** Imports of dist/base/ (from outside it) go to the shared base.js; commands in ONE_FILE to their file. */
const sharedFiles = {
  name: "shared-files",
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const from = args.resolveDir + "/";
      const path = new URL(args.path, "file://" + from).pathname;
      if (path.startsWith(dist + "base/") && !from.startsWith(dist + "base/")) return { path: "./base.js", external: true };
      const cmd = /^cli\/([a-z-]+)\.js$/.exec(path.slice(dist.length))?.[1];
      if (args.kind === "dynamic-import" && cmd !== undefined && ONE_FILE.includes(cmd)) return { path: `./${cmd}.js`, external: true };
      return undefined;
    });
  },
};

const common = { bundle: true, format: "esm", platform: "node", target: "node20", packages: "external", logLevel: "warning" };
rmSync(out, { recursive: true, force: true });
await build({ ...common, entryPoints: [dist + "base/index.js"], outfile: out.pathname + "base.js" });
await build({ ...common, entryPoints: [dist + "cli/main.js"], outdir: out.pathname, splitting: true, plugins: [sharedFiles] });
for (const cmd of ONE_FILE) await build({ ...common, entryPoints: [dist + `cli/${cmd}.js`], outfile: out.pathname + `${cmd}.js`, plugins: [sharedFiles] });
// main.js finds its command manifest beside itself (and package.json two folders up, as from dist/cli).
copyFileSync(new URL("../dist/cli/commands.json", import.meta.url), new URL("commands.json", out));
