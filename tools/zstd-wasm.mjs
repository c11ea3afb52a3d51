#!/usr/bin/env node
// Build step (issue 11): writes the WebAssembly module of the zstddec package (the zstd decoder for Nodes
// without zstd in node:zlib) to dist/tracedat/zstddec.wasm; tools/bundle.mjs copies it beside the
// bundle. The CLI then compiles it from that file (read in ~1 ms) instead of importing zstddec (~4 ms:
// its module carries the bytes as base64 text). The bytes are the ones zstddec hands to
// WebAssembly.instantiate, with fetch hidden as src/tracedat/decompress.ts hides it.
import { writeFileSync } from "node:fs";

const out = new URL("../dist/tracedat/zstddec.wasm", import.meta.url);
const { ZSTDDecoder } = await import("zstddec");
let bytes;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = (source, imports) => {
  bytes ??= Buffer.from(ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source));
  return instantiate(source, imports);
};
const fetch = Object.getOwnPropertyDescriptor(globalThis, "fetch");
if (fetch?.configurable) Reflect.deleteProperty(globalThis, "fetch");
try {
  await new ZSTDDecoder().init();
} finally {
  WebAssembly.instantiate = instantiate;
  if (fetch?.configurable) Object.defineProperty(globalThis, "fetch", fetch);
}
if (bytes === undefined) throw new Error("zstd-wasm: zstddec did not hand its module to WebAssembly.instantiate");
writeFileSync(out, bytes);
