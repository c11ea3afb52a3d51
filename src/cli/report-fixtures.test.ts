// `ftk report -i FILE` against the stored `trace-cmd report` output of every real fixture
// (../shared/fixtures/tracedat: FILE.report or FILE.report.gz), byte for byte, one test per file.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";

const skip = skipWithoutShared();
const dir = skip === false ? join(sharedDir()!, "fixtures", "tracedat") : "";
const files = skip === false ? readdirSync(dir).filter((f) => f.endsWith(".dat")).sort() : [];

if (skip !== false) test("ftk report matches the stored trace-cmd reports", { skip }, () => {});

for (const name of files) {
  test(`ftk report -i ${name} is byte-identical to trace-cmd report`, async () => {
    const path = join(dir, name);
    const base = path.slice(0, -".dat".length);
    let expected: string;
    if (existsSync(base + ".report")) expected = readFileSync(base + ".report").toString("latin1");
    else if (existsSync(base + ".report.gz")) expected = gunzipSync(readFileSync(base + ".report.gz")).toString("latin1");
    else throw new Error(`no stored report for ${name}`);
    const r = await runFtk(["report", "-i", path]);
    assert.equal(r.stderr, "", `stderr: ${r.stderr}`);
    assert.equal(r.code, 0);
    const diff = firstDifference(expected, r.stdout);
    if (diff !== undefined) assert.fail(`${name}: ${diff}`);
  });
}
