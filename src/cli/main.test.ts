// ftk's own usage text: `ftk --help` lists every command with the summary its module exports.
import assert from "node:assert/strict";
import { test } from "node:test";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot, sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { COMMAND_MANIFEST, loadCommandInfo, type CommandInfo } from "./main.js";
import { runFtk } from "./report-test-helpers.js";

test("ftk --help prints each command with its module's summary, aligned", async () => {
  const r = await runFtk(["--help"]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  const lines = r.stdout.split("\n");
  assert.equal(lines[0], "usage: ftk <command> [options]");
  const listed = lines.slice(lines.indexOf("commands:") + 1, lines.indexOf("", lines.indexOf("commands:")));
  const names = listed.map((l) => l.trim().split(/\s+/)[0]!);
  assert.ok(names.includes("report") && names.includes("record"), names.join(" "));
  const width = Math.max(...names.map((n) => n.length));
  for (const name of names) {
    const { command } = (await import(`./${name}.js`)) as { command: { summary: string } };
    assert.ok(command.summary.length > 0, `${name} has no summary`);
    assert.ok(listed.includes(`  ${name.padEnd(width)}  ${command.summary}`), `no summary line for ${name}`);
  }
});

test("ftk without a command lists the commands with their summaries on stdout and exits 0", async () => {
  const plain = await runFtk([]);
  const help = await runFtk(["--help"]);
  assert.equal(plain.code, 0);
  assert.equal(plain.stderr, "");
  assert.equal(plain.stdout, help.stdout);
  assert.match(plain.stdout, /\n {2}report +print the events of trace\.dat files/);
});

test("ftk --help describes --debug and --version", async () => {
  const r = await runFtk(["--help"]);
  assert.match(r.stdout, /\n {2}--debug +.*stack trace/);
  assert.match(r.stdout, /\n {2}--version +/);
});

test("ftk --version prints the package version", async () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { version: string };
  const r = await runFtk(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `ftk version ${pkg.version}\n`);
});

test("the build's command manifest says what the command modules say", async () => {
  const manifest = JSON.parse(readFileSync(COMMAND_MANIFEST, "utf8")) as Record<string, CommandInfo>;
  assert.deepEqual(manifest, Object.fromEntries(await loadCommandInfo()));
});

/** The files below dist/ and node_modules/ that `ftk ARGV` loads, seen by a module loader hook in a child node. */
function modulesLoadedBy(argv: string[]): string[] {
  const root = repoRoot();
  const hooks = "let port; export function initialize(d) { port = d.port; } " +
    "export async function load(url, context, next) { port.postMessage(url); return next(url, context); }";
  const script = `import { register } from "node:module";
    import { MessageChannel } from "node:worker_threads";
    import { Writable } from "node:stream";
    const { port1, port2 } = new MessageChannel();
    const seen = [];
    port1.on("message", (u) => seen.push(u));
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}), { data: { port: port2 }, transferList: [port2] });
    const { main } = await import(${JSON.stringify(join(root, "dist", "cli", "main.js"))});
    const sink = new Writable({ write(c, e, cb) { cb(); } });
    await main(${JSON.stringify(argv)}, { stdout: sink, stderr: sink });
    await new Promise((r) => setTimeout(r, 100));
    port1.close();
    process.stdout.write(JSON.stringify(seen));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  const prefix = pathToFileURL(root).href + "/";
  return (JSON.parse(out) as string[]).filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length));
}

test("ftk --help loads only the dispatcher and base/ (the summaries come from the manifest)", () => {
  const loaded = modulesLoadedBy(["--help"]);
  assert.ok(loaded.includes("dist/cli/main.js"), loaded.join(" "));
  assert.deepEqual(loaded.filter((f) => !/^dist\/(cli\/main|base\/[\w-]+)\.js$/.test(f)), []);
});

test("each command loads only its part of the library: list no trace.dat code, report no record code and no codec it does not use", { skip: skipWithoutShared() }, () => {
  const list = modulesLoadedBy(["list", "-h"]);
  assert.deepEqual(list.filter((f) => /^dist\/(tracedat|events|report|record|probes)\//.test(f)), []);
  const file = join(sharedDir()!, "fixtures", "tracedat", "v6-i686-k5.15-sched-switch.dat");
  const report = modulesLoadedBy(["report", "-i", file]);
  assert.ok(report.includes("dist/report/index.js"), report.join(" "));
  assert.deepEqual(report.filter((f) => /^dist\/(record|probes)\/|^node_modules\//.test(f)), []);
  // A zstd file loads the decoder (where node:zlib has no zstd), never the writer's codec.
  const zstd = modulesLoadedBy(["report", "-i", join(sharedDir()!, "fixtures", "tracedat", "lab-v7-zstd-x86_64-2cpu-instance.dat")]);
  assert.deepEqual(zstd.filter((f) => /^node_modules\/(?!zstddec\/)/.test(f)), []);
});

test("no command module imports the whole library (../index.js): each takes what it uses from the folder indexes", () => {
  const dir = join(repoRoot(), "src", "cli");
  const offenders = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.includes("test-helpers"))
    .filter((f) => /from "\.\.\/index\.js"/.test(readFileSync(join(dir, f), "utf8")));
  assert.deepEqual(offenders, [], "import from '../report/index.js', '../base/index.js', ... instead: ../index.js loads every folder at start-up");
});
