// SequentialReader: takes across block boundaries, larger than a block, and up to the exact end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TraceFileError } from "../base/index.js";
import { SequentialReader } from "./read-ahead.js";

test("SequentialReader.take() returns the file's bytes in order whatever the take sizes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-ra-"));
  try {
    const size = 3 * 1024 * 1024 + 123;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 2654435761) >>> 24;
    const path = join(dir, "f");
    writeFileSync(path, data);
    const fh = await open(path);
    try {
      const start = 77;
      const r = new SequentialReader(fh, path, start, size);
      // small takes, a take across the 512 KiB block end, one larger than a block, then the rest
      const sizes = [4, 8, 40000, 600000, 1, 1500000, 7];
      let pos = start;
      for (const n of [...sizes, size - start - sizes.reduce((a, b) => a + b, 0)]) {
        assert.equal(r.position, pos);
        const t = await r.take(n);
        assert.deepEqual(t.buf.subarray(t.off, t.off + n), data.subarray(pos, pos + n), `take(${n}) at ${pos}`);
        pos += n;
      }
      assert.equal(r.remaining, 0);
    } finally {
      await fh.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("SequentialReader.take() throws TraceFileError when the file is shorter than its range", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-ra-"));
  try {
    const path = join(dir, "f");
    writeFileSync(path, new Uint8Array(1000));
    const fh = await open(path);
    try {
      const r = new SequentialReader(fh, path, 0, 5000);
      await r.take(800);
      await assert.rejects(r.take(1000), (e) => e instanceof TraceFileError && /truncated/.test(e.message));
    } finally {
      await fh.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
