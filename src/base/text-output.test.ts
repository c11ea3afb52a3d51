import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { TextOutput } from "./text-output.js";

/** A Writable that keeps the chunks it gets, as tests and pipes into other code may. */
function collector(): { stream: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  return { stream: new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) }), chunks };
}

test("TextOutput keeps the order of texts, bytes and room() writes across spills, as latin1", async () => {
  const { stream, chunks } = collector();
  const out = new TextOutput(stream, 16);
  let expected = "";
  for (let i = 0; i < 200; i++) {
    const text = i % 3 === 0 ? "short" + i : "a text longer than the copy loop: " + i + " \xe9\xff";
    out.write(text);
    expected += text;
    out.writeBytes(Buffer.from([0x41 + (i % 26)]));
    expected += String.fromCharCode(0x41 + (i % 26));
    const buf = out.room(3);
    buf[out.at++] = 0x30 + (i % 10);
    buf[out.at++] = 0x2c;
    expected += String(i % 10) + ",";
    if (i % 50 === 0) await out.flush();
  }
  out.writeBytes(Buffer.alloc(100, 0x7a)); // larger than the whole buffer
  expected += "z".repeat(100);
  await out.flush();
  assert.equal(Buffer.concat(chunks).toString("latin1"), expected);
});

test("TextOutput never reuses a buffer it gave to a stream other than stdout (the stream may keep it)", async () => {
  const { stream, chunks } = collector();
  const out = new TextOutput(stream, 8);
  for (let i = 0; i < 20; i++) {
    out.write(String(i % 10).repeat(8));
    if (out.full) await out.flush();
  }
  await out.flush();
  assert.deepEqual(
    chunks.map((c) => c.toString("latin1")),
    Array.from({ length: 20 }, (_, i) => String(i % 10).repeat(8)),
  );
});

test("TextOutput drops its text once the reader has gone (EPIPE)", async () => {
  const { stream, chunks } = collector();
  const out = new TextOutput(stream, 8);
  stream.emit("error", Object.assign(new Error("pipe"), { code: "EPIPE" }));
  out.write("after the reader left");
  await out.flush();
  assert.equal(out.isClosed, true);
  assert.equal(chunks.length, 0);
});
