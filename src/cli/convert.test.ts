// ftk convert on every real fixture: version 6, version 7 with zstd and without compression are read by
// trace-cmd 3.1.6 with the same report and the same stderr as the original. trace-cmd 3.1.6 here is built
// with zstd only (`trace-cmd list -c`), so zlib files are checked with ftk's own report instead.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, suite, test } from "node:test";
import { openTrace } from "../index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";

const skipShared = skipWithoutShared();
const hasTraceCmd = spawnSync("trace-cmd", ["--help"]).error === undefined;
const fixtures = skipShared === false ? join(sharedDir()!, "fixtures", "tracedat") : "";
const files = skipShared === false ? readdirSync(fixtures).filter((f) => f.endsWith(".dat")).sort() : [];

function traceCmdReport(path: string): { out: string; err: string } {
  const r = spawnSync("trace-cmd", ["report", path], { encoding: "latin1", maxBuffer: 1 << 30 });
  return { out: r.stdout, err: r.stderr.replaceAll(path, "FILE") };
}

suite("ftk convert", { skip: skipShared || (hasTraceCmd ? false : "trace-cmd not installed (the oracle)") }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-convert-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of files) {
    test(`convert ${name}: v6, v7 zstd and v7 uncompressed read by trace-cmd as the original`, async () => {
      const input = join(fixtures, name);
      const want = traceCmdReport(input);
      for (const [version, compression] of [["6", "none"], ["7", "zstd"], ["7", "none"]] as const) {
        const out = join(dir, `${name}.${version}-${compression}.dat`);
        const r = await runFtk(["convert", "-i", input, "-o", out, "--file-version", version, "--compression", compression]);
        assert.equal(r.code, 0, r.stderr);
        const t = await openTrace(out);
        assert.equal(t.version, Number(version));
        assert.equal(t.compression, compression === "none" ? "none" : compression);
        await t.close();
        const got = traceCmdReport(out);
        assert.equal(got.err, want.err, `trace-cmd's stderr on the v${version} ${compression} file`);
        const diff = firstDifference(want.out, got.out);
        assert.equal(diff, undefined, `v${version} ${compression}: ${diff}`);
        rmSync(out);
      }
    });
  }

  test("convert to zlib: ftk's report of the zlib file equals the original's", async () => {
    const input = join(fixtures, "v7-zstd-x86_64-4cpu-sched-irq-kstack.dat");
    const out = join(dir, "zlib.dat");
    assert.equal((await runFtk(["convert", "-i", input, "-o", out, "--compression", "zlib"])).code, 0);
    const t = await openTrace(out);
    assert.equal(t.compression, "zlib");
    await t.close();
    const a = await runFtk(["report", "-i", input]);
    const b = await runFtk(["report", "-i", out]);
    assert.equal(b.stderr, "");
    assert.equal(firstDifference(a.stdout, b.stdout), undefined);
  });

  test("convert usage errors exit 2, a missing input exits 1", async () => {
    assert.equal((await runFtk(["convert", "-i", "x.dat"])).code, 2, "no output");
    assert.equal((await runFtk(["convert", "-o", join(dir, "o.dat"), "--file-version", "6", "--compression", "zstd"])).code, 2);
    assert.equal((await runFtk(["convert", "-o", join(dir, "o.dat"), "--file-version", "8"])).code, 2);
    assert.equal((await runFtk(["convert", "-i", join(dir, "missing.dat"), "-o", join(dir, "o.dat")])).code, 1);
    const help = await runFtk(["convert", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: ftk convert/);
  });
});
