// Block decompression for v7 files (../shared/docs/trace-dat-format.md §5.1): every block is an
// independent zstd frame (no content-size field) or zlib stream, and its uncompressed size is known.
import { inflateSync } from "node:zlib";
import { createRequire } from "node:module";

/** Decompresses one block into `dst` (whose length is the expected size); returns the bytes written. */
export type BlockDecompressor = (src: Uint8Array, dst: Uint8Array) => number;

interface ZstdDCtx {
  decompress(dst: Uint8Array, src: Uint8Array): number;
}

let zstdCtor: (new () => ZstdDCtx) | undefined;

function zstdDecompressor(): BlockDecompressor {
  if (zstdCtor === undefined) {
    // The native binding decompresses straight into our buffer; its package has no ESM entry for it.
    const require = createRequire(import.meta.url);
    zstdCtor = (require("zstd-napi/binding.js") as { DCtx: new () => ZstdDCtx }).DCtx;
  }
  const ctx = new zstdCtor();
  return (src, dst) => ctx.decompress(dst, src);
}

function zlibDecompressor(): BlockDecompressor {
  return (src, dst) => {
    const out = inflateSync(src, { maxOutputLength: Math.max(dst.length, 1) });
    dst.set(out.subarray(0, Math.min(out.length, dst.length)));
    return out.length;
  };
}

/** The decompressor for a v7 compression name, or undefined when the name is unknown. */
export function findDecompressor(name: string): BlockDecompressor | undefined {
  if (name === "zstd") return zstdDecompressor();
  if (name === "zlib") return zlibDecompressor();
  return undefined;
}
