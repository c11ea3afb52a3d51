// ftk's own usage text: `ftk --help` lists every command with the summary its module exports.
import assert from "node:assert/strict";
import { test } from "node:test";
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

test("ftk without a command prints the names only on stderr and exits 2", async () => {
  const r = await runFtk([]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^usage: ftk <command>/);
  assert.match(r.stderr, /\n {2}report\n/);
});
