import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { FdWriter } from "./fd-writer.js";
import { TextOutput } from "./text-output.js";

test("FdWriter writes texts (UTF-8) and bytes to its descriptor in order, with nothing queued", () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-fdw-"));
  try {
    const path = join(dir, "out");
    const fd = openSync(path, "w");
    const w = new FdWriter(fd, () => assert.fail("no fallback for a file"));
    assert.equal(w.write("caf\u00e9 "), true);
    assert.equal(w.write(Buffer.from([0x41, 0x42])), true);
    assert.equal(w.writableLength, 0);
    assert.equal(w.writableNeedDrain, false);
    assert.equal(w.isTTY, false);
    closeSync(fd);
    assert.deepEqual(readFileSync(path), Buffer.concat([Buffer.from("caf\u00e9 ", "utf8"), Buffer.from("AB")]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FdWriter hands a write that would block, and all after it, to its fallback stream, whose events it passes on", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-fdw-"));
  try {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    // Read-write and non-blocking: the open does not wait for a reader, and a full pipe says EAGAIN.
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      const taken: Buffer[] = [];
      let made = 0;
      const fallback = new Writable({ highWaterMark: 1, write: (c: Buffer, _e, done) => (taken.push(Buffer.from(c)), setImmediate(done)) });
      const w = new FdWriter(fd, () => (made++, fallback));
      const drains: number[] = [];
      w.on("drain", () => drains.push(1));
      const first = Buffer.alloc(1 << 20);
      for (let i = 0; i < first.length; i++) first[i] = i % 251;
      w.write(first); // more than a pipe holds: part goes to the pipe, the rest to the fallback
      assert.equal(made, 1);
      w.write("tail");
      assert.equal(made, 1);
      assert.ok(w.writableLength > 0, "the fallback's queue shows through");
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(drains.length > 0, "drain is passed on");
      // What the pipe holds, then what the fallback took, is everything in order.
      const piped: Buffer[] = [];
      const buf = Buffer.alloc(65536);
      for (;;) {
        let n = 0;
        try {
          n = readSync(fd, buf);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "EAGAIN") break;
          throw e;
        }
        if (n === 0) break;
        piped.push(Buffer.from(buf.subarray(0, n)));
      }
      assert.ok(piped.length > 0 && taken.length > 0);
      assert.deepEqual(Buffer.concat([...piped, ...taken]), Buffer.concat([first, Buffer.from("tail")]));
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FdWriter reports a failed write (EPIPE) as an error event, and TextOutput then stops quietly", () => {
  // A pipe whose reader has gone: `sh` makes one for a child that writes after `true` has exited.
  const base = fileURLToPath(new URL("./index.js", import.meta.url));
  const script = `
    const { FdWriter, TextOutput } = await import(${JSON.stringify(base)});
    await new Promise((r) => setTimeout(r, 200));
    const w = new FdWriter(1, () => { throw new Error("no fallback"); });
    const errors = [];
    w.on("error", (e) => errors.push(e.code));
    w.write("x".repeat(70000));
    const out = new TextOutput(new FdWriter(1, () => { throw new Error("no fallback"); }));
    out.write("y".repeat(300000));
    await out.flush();
    process.stderr.write(JSON.stringify({ errors, closed: out.isClosed }));`;
  const r = spawnSync("sh", ["-c", `"$0" --input-type=module -e "$1" | true`, process.execPath, script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stderr), { errors: ["EPIPE"], closed: true });
});

test("TextOutput over an FdWriter on a file writes what it is given", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-fdw-"));
  try {
    const path = join(dir, "out");
    const fd = openSync(path, "w");
    const out = new TextOutput(new FdWriter(fd, () => assert.fail("no fallback for a file")), 64);
    let expected = "";
    for (let i = 0; i < 1000; i++) {
      out.write(`line ${i}\n`);
      expected += `line ${i}\n`;
      await out.maybeFlush();
    }
    await out.flush();
    closeSync(fd);
    assert.equal(readFileSync(path, "latin1"), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("stdoutSink() writes with write(2) where stdout is a file, a pipe or /dev/null, and uses process.stdout on a socket", () => {
  const base = fileURLToPath(new URL("./index.js", import.meta.url));
  const script = `const { FdWriter, stdoutSink } = await import(${JSON.stringify(base)}); process.stderr.write(String(stdoutSink() instanceof FdWriter));`;
  const run = (shell: string, stdio: "pipe" | "ignore" = "ignore"): string => {
    const r = spawnSync("sh", ["-c", shell, process.execPath, script], { encoding: "utf8", stdio: ["ignore", stdio, "pipe"] });
    assert.equal(r.status, 0, r.stderr);
    return r.stderr;
  };
  const dir = mkdtempSync(join(tmpdir(), "ftk-fdw-"));
  try {
    assert.equal(run(`"$0" --input-type=module -e "$1" > ${join(dir, "out")}`), "true");
    assert.equal(run(`"$0" --input-type=module -e "$1" | cat`), "true");
    assert.equal(run(`"$0" --input-type=module -e "$1" > /dev/null`), "true");
    // Node's own child pipes are sockets.
    assert.equal(run(`exec "$0" --input-type=module -e "$1"`, "pipe"), "false");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
