import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { addZstdContentSize, findDecompressor, SIZE_FIELD_BYTES } from "./decompress.js";
import { findBlockCompressor } from "./writer-compress.js";

/** Deterministic, partly compressible bytes. */
function block(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = i % 7 === 0 ? x >>> 24 : i & 0xff;
  }
  return b;
}

test("zstd blocks of growing and shrinking sizes decode into the caller's arrays, whole() into its own", async () => {
  const zstd = (await findDecompressor("zstd"))!;
  const compressor = (await findBlockCompressor("zstd"))!;
  for (const [i, size] of [1000, 40960, 3 << 20, 4096, 40960, 1].entries()) {
    const data = block(size, i + 1);
    const packed = compressor.compress(data);
    const dst = new Uint8Array(size);
    assert.equal(zstd(packed, dst), size);
    assert.deepEqual(dst, data);
    // node:zlib hands back a Buffer, the WebAssembly decoder a Uint8Array: the bytes are compared.
    assert.deepEqual(new Uint8Array(zstd.whole(packed, size)), data);
  }
});

test("a zstd block that does not decode comes back short and leaves the decoder usable", async () => {
  const zstd = (await findDecompressor("zstd"))!;
  const compressor = (await findBlockCompressor("zstd"))!;
  const data = block(8192, 7);
  const packed = compressor.compress(data);
  const damaged = new Uint8Array(packed); // a copy: a Buffer's slice() (node:zlib's output) is a view
  damaged.fill(0xa5, 4, Math.min(damaged.length, 40));
  assert.notEqual(zstd(damaged, new Uint8Array(8192)), 8192);
  assert.notEqual(zstd(packed.subarray(0, packed.length - 5), new Uint8Array(8192)), 8192);
  assert.notEqual(zstd.whole(damaged, 8192).length, 8192);
  // Too small a destination is an error too, not an overrun.
  assert.notEqual(zstd(packed, new Uint8Array(100)), 8192);
  const dst = new Uint8Array(8192);
  assert.equal(zstd(packed, dst), 8192);
  assert.deepEqual(dst, data);
});

test("a zstd block kept in the WebAssembly decoder's memory reads back in pieces; a damaged one comes back short", async (t) => {
  const zstd = (await findDecompressor("zstd"))!;
  if (zstd.kept === undefined) return t.skip(`Node ${process.version} decodes zstd with node:zlib (no decoder memory to keep a block in)`);
  const compressor = (await findBlockCompressor("zstd"))!;
  const data = block(3 << 20, 9);
  const packed = compressor.compress(data);
  const kept = zstd.kept((into) => into.set(packed), packed.length, data.length);
  // Other blocks decoded after it do not touch it.
  assert.equal(zstd(compressor.compress(block(1 << 20, 3)), new Uint8Array(1 << 20)), 1 << 20);
  assert.equal(kept.size, data.length);
  const piece = new Uint8Array(70000);
  for (const at of [0, 1234567, data.length - piece.length]) {
    kept.read(piece, at);
    assert.deepEqual(piece, data.subarray(at, at + piece.length));
  }
  assert.throws(() => kept.read(piece, data.length - 10), RangeError);
  const damaged = new Uint8Array(packed); // a copy: a Buffer's slice() (node:zlib's output) is a view
  damaged.fill(0xa5, 4, 40);
  assert.notEqual(zstd.kept((into) => into.set(damaged), damaged.length, data.length).size, data.length);
});

test("without zstd in node:zlib, the decoder is zstddec's module from the file the build ships, or else the zstddec package", { skip: process.versions["zstd"] !== undefined ? `Node ${process.version} decodes zstd with node:zlib` : false }, async () => {
  const shipped = new URL("./zstddec.wasm", import.meta.url);
  assert.ok(existsSync(shipped), "the build writes dist/tracedat/zstddec.wasm (tools/zstd-wasm.mjs)");
  assert.ok(WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(shipped))).some((e) => e.name === "ZSTD_decompress"));
  // Both ways decode the same block, each in a process of its own (the decoder is made once per process).
  const compressor = (await findBlockCompressor("zstd"))!;
  const data = block(100000, 5);
  const packed = Buffer.from(compressor.compress(data)).toString("base64");
  const decompress = JSON.stringify(new URL("./decompress.js", import.meta.url).href);
  for (const useShipped of [true, false]) {
    const script = `import { findDecompressor, zstdOptions } from ${decompress};
      zstdOptions.shipped = ${useShipped};
      const out = (await findDecompressor("zstd")).whole(Buffer.from(${JSON.stringify(packed)}, "base64"), ${data.length});
      process.stdout.write(Buffer.from(out).toString("base64"));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "latin1", maxBuffer: 1 << 24 });
    assert.deepEqual(new Uint8Array(Buffer.from(out, "base64")), data, `shipped: ${useShipped}`);
  }
});

test("zstd blocks read into the decoder's memory (wholeFrom) decode, whole or damaged as whole() does", async () => {
  const zstd = (await findDecompressor("zstd"))!;
  const compressor = (await findBlockCompressor("zstd"))!;
  for (const [i, size] of [1000, 3 << 20].entries()) {
    const data = block(size, i + 5);
    const packed = compressor.compress(data);
    assert.deepEqual(new Uint8Array(zstd.wholeFrom((into) => into.set(packed), packed.length, size)), data);
    // Damaged in its header, or in its last block (whose header still says where the frame ends).
    for (const [from, to] of [[4, 40], [packed.length - 20, packed.length - 10]]) {
      const damaged = new Uint8Array(packed);
      damaged.fill(0xa5, from, to);
      const got = zstd.wholeFrom((into) => into.set(damaged), damaged.length, size);
      assert.notEqual(got.length, size);
      assert.deepEqual(new Uint8Array(got), new Uint8Array(zstd.whole(damaged, size)));
    }
  }
});

/** The compressed block `packed` with the room addZstdContentSize() writes into in front of it. */
const withRoom = (packed: Uint8Array): Uint8Array => {
  const buf = new Uint8Array(SIZE_FIELD_BYTES + packed.length);
  buf.set(packed, SIZE_FIELD_BYTES);
  return buf;
};

test("addZstdContentSize() gives a trace-cmd frame (no content size) its size, and leaves other blocks as they are", async (t) => {
  const zlib = await import("node:zlib");
  const decode = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array) => Buffer }).zstdDecompressSync;
  if (decode === undefined) return t.skip(`Node ${process.version} has no zstd in node:zlib (its frames come with their size)`);
  const compressor = (await findBlockCompressor("zstd"))!;
  const data = block(300000, 11);
  const packed = compressor.compress(data);
  assert.equal(packed[4]! & 0xe0, 0, "the writer's frames carry no content size, as trace-cmd's");
  const buf = withRoom(packed);
  const moved = addZstdContentSize(buf, data.length);
  assert.ok(moved >= 6);
  // Frame_Content_Size_flag 2: a 4-byte size after the header bytes moved.
  assert.equal(buf[4]! >> 6, 2);
  assert.equal(new DataView(buf.buffer).getUint32(moved, true), data.length);
  assert.deepEqual(new Uint8Array(decode(buf)), data);
  // Two frames, a cut frame, a frame with its size already, something else: unchanged.
  const two = new Uint8Array([...packed, ...compressor.compress(block(100, 1))]);
  const cut = packed.subarray(0, packed.length - 1);
  const sized = withRoom(packed);
  addZstdContentSize(sized, data.length);
  for (const other of [two, cut, sized, new Uint8Array(64).fill(7)]) {
    const b = withRoom(other);
    assert.equal(addZstdContentSize(b, data.length), 0);
    assert.deepEqual(b.subarray(SIZE_FIELD_BYTES), new Uint8Array(other));
  }
});
