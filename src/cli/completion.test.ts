// `ftk completion bash|zsh`: generated from the same flag tables the commands parse with, so a flag the
// parser accepts is a flag the shell completes. bash is driven for real; zsh is checked when installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadCommandInfo } from "./main.js";
import { runFtk } from "./report-test-helpers.js";

const script = (await runFtk(["completion", "bash"])).stdout;

/** COMPREPLY of the generated bash function for the words typed so far (the last is being completed). */
function complete(words: string[]): string[] {
  const r = spawnSync("bash", ["--norc", "-c", `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _ftk; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "");
}

test("ftk completion bash completes command names and every flag of each command's table", { skip: spawnSync("bash", ["--version"]).error ? "bash not installed" : false }, async () => {
  const commands = await loadCommandInfo();
  const re = [...commands.keys()].filter((n) => n.startsWith("re")).sort();
  assert.ok(re.includes("record") && re.includes("report"));
  assert.deepEqual(complete(["ftk", "re"]).sort(), re);
  for (const [name, info] of commands) {
    const offered = new Set(complete(["ftk", name, "-"]));
    for (const [flag, spec] of Object.entries(info.flags)) {
      if (spec.short !== undefined) assert.ok(offered.has(`-${spec.short}`), `${name} -${spec.short}`);
      if (flag.length > 1) assert.ok(offered.has(`--${flag}`), `${name} --${flag}`);
    }
  }
  assert.ok(complete(["ftk", "report", "--"]).includes("--cpu"));
  // After a flag that takes a value, bash falls back to file names (-o default): no flags offered.
  assert.deepEqual(complete(["ftk", "report", "-i", "-"]), []);
});

test("the report flags the parser accepts are the ones completion offers", async () => {
  const info = (await loadCommandInfo()).get("report")!;
  for (const flag of Object.keys(info.flags)) {
    const spec = info.flags[flag]!;
    const word = (flag.length > 1 ? `--${flag}` : `-${flag}`) + (spec.type === "string" ? "=x" : "");
    const r = await runFtk(["report", "--help", word]);
    assert.equal(r.code, 0, `${word}: ${r.stderr}`);
  }
});

test("ftk completion zsh is a compsys function that zsh parses", async (t) => {
  const zsh = (await runFtk(["completion", "zsh"])).stdout;
  assert.match(zsh, /^#compdef ftk\n/);
  assert.match(zsh, /'\*--cpu=\[cpu\]:cpu:_files'/);
  const r = spawnSync("zsh", ["-n"], { input: zsh, encoding: "utf8" });
  if (r.error !== undefined) return t.skip("zsh not installed (.ci/run installs it)");
  assert.equal(r.status, 0, r.stderr);
  // Loaded for real: compinit, then the function defines itself for ftk.
  const dir = mkdtempSync(join(tmpdir(), "ftk-zsh-"));
  try {
    writeFileSync(join(dir, "_ftk"), zsh);
    const loaded = spawnSync("zsh", ["-f", "-c", `autoload -Uz compinit && compinit -u -D && source ${dir}/_ftk && print -r -- $_comps[ftk]`], { encoding: "utf8" });
    assert.equal(loaded.stdout.trim(), "_ftk", loaded.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ftk completion without a known shell is a usage error", async () => {
  for (const argv of [["completion"], ["completion", "fish"]]) {
    const r = await runFtk(argv);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ftk completion: [^\n]*give bash or zsh\n$/);
  }
});
