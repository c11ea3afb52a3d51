// Block compressors for the trace.dat v7 writer (../shared/docs/trace-dat-format.md §5.1):
// every block is one independent zstd frame (no content size) or one zlib stream.
import { deflateSync, constants as zlibConstants } from "node:zlib";
import { Compressor } from "zstd-napi";
import zstdBinding from "zstd-napi/binding.js";

/** Compression names a trace.dat v7 header can carry. */
export type TraceDatCompression = "none" | "zstd" | "zlib";

/** One compression algorithm as the writer uses it. */
export interface BlockCompressor {
  /** Name written in the v7 header. */
  readonly name: TraceDatCompression;
  /** Library version written in the v7 header ("" for none). */
  readonly version: string;
  /** Compresses one block into a new buffer. */
  compress(block: Uint8Array): Uint8Array;
}

/** The compressor for a name; undefined for "none". */
export function findBlockCompressor(name: TraceDatCompression): BlockCompressor | undefined {
  if (name === "none") return undefined;
  if (name === "zstd") {
    const zstd = new Compressor();
    // trace-cmd calls ZSTD_compress2 with the content-size flag disabled.
    zstd.setParameters({ contentSizeFlag: false });
    return { name, version: zstdBinding.versionString(), compress: (block) => zstd.compress(block) };
  }
  // zlib: compress2(..., Z_BEST_COMPRESSION) produces an RFC 1950 stream, as deflateSync does.
  const version = (process.versions.zlib ?? "1.2.13").replace(/[^0-9.].*$/, "");
  return {
    name,
    version,
    compress: (block) => deflateSync(block, { level: zlibConstants.Z_BEST_COMPRESSION }),
  };
}
