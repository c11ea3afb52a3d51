// `ftk report` routes the trace reader's warnings to the command's stderr (CliContext.stderr), one line per kind.
import assert from "node:assert/strict";
import { copyFile, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openTrace } from "../index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { runFtk } from "./report-test-helpers.js";

/** Runs `fn` while recording what is written to process.stderr (restored afterwards). */
async function captureProcessStderr<T>(fn: () => Promise<T>): Promise<{ result: T; written: string }> {
  const original = process.stderr.write;
  let written = "";
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    written += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1");
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await fn(), written };
  } finally {
    process.stderr.write = original;
  }
}

test("ftk report prints a damaged page's warning on its own stderr, not process.stderr; -q silences it", { skip: skipWithoutShared() }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "ftk-report-warn-"));
  try {
    const file = join(dir, "damaged.dat");
    await copyFile(join(sharedDir()!, "fixtures", "tracedat", "v6-i686-1cpu-listen-noopts.dat"), file);
    // The first page of CPU 0: its commit field (4 bytes on i686, after the u64 timestamp) set past the page end.
    const trace = await openTrace(file);
    const pageOffset = trace.buffers[0]!.cpus[0]!.fileOffset;
    await trace.close();
    const fh = await open(file, "r+");
    await fh.write(Uint8Array.of(0xf0, 0xff, 0, 0), 0, 4, pageOffset + 8);
    await fh.close();

    const { result: r, written } = await captureProcessStderr(() => runFtk(["report", "-i", file]));
    assert.equal(r.code, 0);
    assert.equal(written, "");
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    assert.deepEqual(lines, [
      `ftk report: warning: '${file}': cpu 0: bad page at offset 0x${pageOffset.toString(16)} skipped (commit-overflow)`,
    ]);
    // -q silences warnings, as trace-cmd's; the events are the same.
    const quiet = await runFtk(["report", "-q", "-i", file]);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, "");
    assert.equal(quiet.stdout, r.stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
