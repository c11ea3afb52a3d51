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
// - the commands in SCRIPTS (report) are also built as a CommonJS script, `<cmd>.cjs`, which their
//   `<cmd>.js` runs with a V8 code cache kept between runs (src/cli/script-cache.ts); base.js is handed
//   to the script, so it is still the one copy.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { build } from "esbuild";

const out = new URL("../dist/bundle/", import.meta.url);
const dist = new URL("../dist/", import.meta.url).pathname;
/** Commands run many times a minute, whose start-up users feel (report of a small file). */
const ONE_FILE = ["report", "trace"];
/** ONE_FILE commands built as a script run with a V8 code cache (src/cli/script-cache.ts). */
const SCRIPTS = ["report", "trace"];

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

/** `export { a, b as c } from "./m.js";` lines of a folder's index.js: exported name -> [module path, its name]. */
const barrels = new Map();
function barrel(path) {
  let names = barrels.get(path);
  if (names !== undefined) return names;
  names = new Map();
  barrels.set(path, names);
  for (const [, list, from] of readFileSync(path, "utf8").matchAll(/^export \{([^}]*)\} from "(\.[^"]+)";$/gm)) {
    const target = resolve(dirname(path), from);
    for (const item of list.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
      const [name, alias = name] = item.split(/\s+as\s+/);
      // A barrel that re-exports another barrel: follow it to the module that defines the name.
      const inner = target.endsWith("/index.js") ? barrel(target).get(name) : undefined;
      names.set(alias, inner ?? [target, name]);
    }
  }
  return names;
}

/**
 * In a one-file command, imports (and re-exports) from a folder's index.js go to the modules that define
 * the names. A module that the command loads by import() is wrapped to run on first use, and so is all it
 * imports: through a barrel that is every file of the folder (the trace.dat writer, convert and split
 * for `report`). The source keeps importing from the index (style.md).
 */
const throughBarrels = barrelsPlugin(false);

/**
 * In the ES module files, Node's builtins by require(): an ES import of one makes Node build a module
 * facade that reads every export, and the lazy ones then load what they stand for (node:fs's streams; on
 * Node 22 node:util's TextDecoder loads assert, its diff and colours). `import { a, b as c } from "node:x"`
 * becomes `const { a, b: c } = __ftkBuiltin("node:x")`, which reads those names alone; BUILTIN_BANNER
 * defines __ftkBuiltin in each file (a name esbuild leaves alone: a require() would get a shared helper
 * chunk, one more file to load).
 */
function builtinsByRequire(text) {
  return text.replace(/^import (?:\{([^}]*)\}|\* as (\w+)|(\w+)) from ("node:[a-z_/]+");$/gm, (whole, list, ns, def, from) => {
    if (list === undefined) return `const ${ns ?? def} = __ftkBuiltin(${from});`;
    return `const { ${list.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => s.replace(/\s+as\s+/, ": ")).join(", ")} } = __ftkBuiltin(${from});`;
  });
}
const BUILTIN_BANNER = {
  js: 'import { createRequire as __ftkCreateRequire } from "node:module"; const __ftkBuiltin = (id) => process.getBuiltinModule?.(id) ?? __ftkCreateRequire(import.meta.url)(id);',
};
/** builtinsByRequire() alone, for the files that do not go through barrels. */
const builtinsPlugin = {
  name: "builtins-by-require",
  setup(b) {
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, (args) => ({ contents: builtinsByRequire(readFileSync(args.path, "utf8")), loader: "js" }));
  },
};

/**
 * throughBarrels, and for a script (SCRIPTS) also: import() of a package or builtin becomes a call of the
 * script's `__ftkImport` parameter, since a script run with a V8 code cache cannot call import() itself.
 * ES module files get their builtins by require() (builtinsByRequire); esbuild's own CommonJS output
 * already does.
 */
function barrelsPlugin(script) {
  return {
  name: "through-barrels",
  setup(b) {
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, (args) => {
      const dir = dirname(args.path);
      let text = readFileSync(args.path, "utf8");
      if (script) text = text.replace(/\bimport\(("(?:node:)?[a-z@][^"]*")\)/g, "__ftkImport($1)");
      else text = builtinsByRequire(text);
      text = text.replace(/^(import|export) \{([^}]*)\} from "(\.[^"]*\/index\.js)";$/gm, (whole, verb, list, from) => {
        const names = barrel(resolve(dir, from));
        const byModule = new Map();
        for (const item of list.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
          const [name, local = name] = item.split(/\s+as\s+/);
          const [path, inner] = names.get(name) ?? [resolve(dir, from), name];
          const spec = relative(dir, path);
          const key = spec.startsWith(".") ? spec : "./" + spec;
          (byModule.get(key) ?? byModule.set(key, []).get(key)).push(inner === local ? inner : `${inner} as ${local}`);
        }
        return [...byModule].map(([spec, items]) => `${verb} { ${items.join(", ")} } from "${spec}";`).join("\n");
      });
      return { contents: text, loader: "js" };
    });
  },
  };
}

const common = { bundle: true, format: "esm", platform: "node", target: "node20", packages: "external", logLevel: "warning", banner: BUILTIN_BANNER };
rmSync(out, { recursive: true, force: true });
await build({ ...common, entryPoints: [dist + "base/index.js"], outfile: out.pathname + "base.js", plugins: [builtinsPlugin] });
await build({ ...common, entryPoints: [dist + "cli/main.js"], outdir: out.pathname, splitting: true, plugins: [sharedFiles, builtinsPlugin] });
for (const cmd of ONE_FILE) {
  if (!SCRIPTS.includes(cmd)) {
    await build({ ...common, entryPoints: [dist + `cli/${cmd}.js`], outfile: out.pathname + `${cmd}.js`, plugins: [sharedFiles, throughBarrels] });
    continue;
  }
  // The command as a script (src/cli/script-cache.ts runs it with a V8 code cache): CommonJS in a function
  // whose parameters stand for CommonJS's own and for import(); strict, as the modules it was built from.
  const script = await build({
    ...common, format: "cjs", entryPoints: [dist + `cli/${cmd}.js`], outfile: out.pathname + `${cmd}.cjs`, metafile: true,
    plugins: [sharedFiles, barrelsPlugin(true)],
    // Without the spaces and comments (names kept): a third less to read, hold as a string and hash at
    // every start (report -i on a small file: ~6 ms less, measured with the code cache on).
    minifyWhitespace: true,
    // import.meta is not there in a script: its URL is a parameter (the script's own file).
    define: { "import.meta.url": "__ftkScriptUrl" },
    banner: { js: '(function (exports, require, module, __ftkImport, __ftkScriptUrl) { "use strict";' }, footer: { js: "})" },
  });
  const [meta] = Object.values(script.metafile.outputs);
  const left = meta.imports.filter((i) => i.kind === "dynamic-import");
  if (left.length > 0) throw new Error(`bundle: ${cmd}.cjs still calls import() of ${left.map((i) => i.path).join(", ")}`);
  // script-cache.ts reads it as latin1 (a one-byte string for V8, no UTF-8 decoding): esbuild escapes
  // strings and regexps; what is left is in comments, written as \u escapes.
  const file = new URL(`${cmd}.cjs`, out);
  writeFileSync(file, readFileSync(file, "utf8").replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`));
  // The module main.js imports: runs the script and re-exports what the command's module exports.
  const exportsOf = (await build({ ...common, entryPoints: [dist + `cli/${cmd}.js`], write: false, metafile: true, plugins: [sharedFiles, throughBarrels] }))
    .metafile.outputs;
  const names = Object.values(exportsOf).flatMap((o) => o.exports);
  const stub = [
    'import * as base from "../base/index.js";',
    'import { runCachedScript } from "./script-cache.js";',
    `const m = runCachedScript(new URL("./${cmd}.cjs", import.meta.url), { "./base.js": base }, (s) => import(s)).exports;`,
    ...names.map((n) => `export const ${n} = m.${n};`),
  ].join("\n");
  await build({ ...common, stdin: { contents: stub, resolveDir: dist + "cli", sourcefile: `${cmd}-stub.js` }, outfile: out.pathname + `${cmd}.js`, plugins: [sharedFiles, builtinsPlugin] });
}
// main.js finds its command manifest beside itself (and package.json two folders up, as from dist/cli).
copyFileSync(new URL("../dist/cli/commands.json", import.meta.url), new URL("commands.json", out));
// The zstd decoder's module (tools/zstd-wasm.mjs), read by the bundled decompress.ts beside itself.
copyFileSync(new URL("../dist/tracedat/zstddec.wasm", import.meta.url), new URL("zstddec.wasm", out));
