#!/usr/bin/env node
// Build step (issue 11): bundles the compiled CLI (dist/cli/main.js and every command it imports) into
// dist/bundle/ with esbuild: one chunk per command plus shared chunks, so that a command loads a handful
// of files instead of ~80 modules. bin/ftk runs it when it is at least as new as dist/cli/main.js.
// Packages stay external (loaded from node_modules, only by the commands that use them).
import { copyFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const out = new URL("../dist/bundle/", import.meta.url);
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [new URL("../dist/cli/main.js", import.meta.url).pathname],
  outdir: out.pathname,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
// main.js finds its command manifest beside itself (and package.json two folders up, as from dist/cli).
copyFileSync(new URL("../dist/cli/commands.json", import.meta.url), new URL("commands.json", out));
