// The oracle runner retries only while trace-cmd disagrees, and gives up after three runs. A stand-in
// `trace-cmd` script on PATH counts its runs and prints "bad" on the first one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { traceCmdReport } from "./trace-cmd.js";

function withStandIn(body: (runs: () => number) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "ftk-oracle-"));
    const count = join(dir, "count");
    writeFileSync(count, "");
    const script = join(dir, "trace-cmd");
    writeFileSync(script, `#!/bin/sh\necho x >> '${count}'\nif [ "$(wc -l < '${count}')" -eq 1 ]; then echo bad; else echo "good $*"; fi\n`);
    chmodSync(script, 0o755);
    const path = process.env["PATH"];
    process.env["PATH"] = `${dir}:${path ?? ""}`;
    try {
      await body(() => readFileSync(count, "latin1").split("\n").length - 1);
    } finally {
      process.env["PATH"] = path;
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test("traceCmdReport() runs again after a disagreeing output", withStandIn(async (runs) => {
  const r = await traceCmdReport(["-i", "f.dat"], (out) => out.startsWith("good"));
  assert.equal(r.stdout, "good report -i f.dat\n");
  assert.equal(r.status, 0);
  assert.equal(runs(), 2);
}));

test("traceCmdReport() stops at the first agreeing output", withStandIn(async (runs) => {
  const r = await traceCmdReport([], (out) => out === "bad\n");
  assert.equal(r.stdout, "bad\n");
  assert.equal(runs(), 1);
}));

test("traceCmdReport() gives up after three runs and returns the last output", withStandIn(async (runs) => {
  const r = await traceCmdReport(["-R"], () => false);
  assert.equal(r.stdout, "good report -R\n");
  assert.equal(runs(), 3);
}));
