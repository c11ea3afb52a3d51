// dump on damaged files: truncated at every part of the metadata and with random bytes changed, it
// either prints or fails with one TraceFileError, never hangs, crashes or throws anything else.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TraceFileError, dumpTraceDat } from "../index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";

const skip = skipWithoutShared();

/** A small xorshift generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

test("dump --all on truncated and corrupted v6 and v7 files: text or one TraceFileError, quickly", { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-dump-fuzz-"));
  try {
    for (const name of ["v6-i686-1cpu-sched-switch.dat", "lab-v7-zstd-x86_64-2cpu-instance.dat"]) {
      const whole = readFileSync(join(sharedDir()!, "fixtures", "tracedat", name));
      const rnd = random(0x5eed + whole.length);
      // The metadata is at the start (v6) or spread over the file (v7): cut and flip everywhere.
      const cases: Buffer[] = [];
      for (let i = 0; i < 40; i++) cases.push(whole.subarray(0, Math.floor(rnd() * whole.length)));
      for (let i = 0; i < 60; i++) {
        const b = Buffer.from(whole);
        for (let k = 0; k < 4; k++) b[Math.floor(rnd() * Math.min(b.length, 900_000))] = Math.floor(rnd() * 256);
        cases.push(b);
      }
      for (const [i, bytes] of cases.entries()) {
        const path = join(dir, `${name}.${i}`);
        writeFileSync(path, bytes);
        const t0 = performance.now();
        try {
          const text = await dumpTraceDat(path, { parts: ["all"] });
          assert.equal(typeof text, "string");
        } catch (e) {
          assert.ok(e instanceof TraceFileError, `${name} case ${i}: ${(e as Error).stack}`);
          assert.ok(!(e as Error).message.includes("\n"), `one line: ${(e as Error).message}`);
        }
        assert.ok(performance.now() - t0 < 5000, `${name} case ${i} took ${performance.now() - t0} ms`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
