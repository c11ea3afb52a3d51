// Block compressors for the trace.dat v7 writer (../shared/docs/trace-dat-format.md §5.1):
// every block is one independent zstd frame or one zlib stream. zstd comes from node:zlib where Node
// has it (22.15+), else from the @bokuweb/zstd-wasm WebAssembly codec, loaded only when a file is
// compressed (issue 11: no native build). node:zlib itself is imported on first use: it loads Node's
// streams, which a report of an uncompressed file does not need.

/** Compression names a trace.dat v7 header can carry. */
export type TraceDatCompression = "none" | "zstd" | "zlib";

/** One compression algorithm as the writer uses it. */
export interface BlockCompressor {
  /** Name written in the v7 header. */
  readonly name: TraceDatCompression;
  /** Library version written in the v7 header ("" for none); trace-cmd ignores it for zstd. */
  readonly version: string;
  /** Compresses one block into a new buffer. */
  compress(block: Uint8Array): Uint8Array;
}

type ZstdCompressSync = (src: Uint8Array, options: { params: Record<number, number> }) => Buffer;

let zstdCodec: Promise<BlockCompressor> | undefined;

async function loadZstd(): Promise<BlockCompressor> {
  const zlib = await import("node:zlib");
  const nodeZstd = (zlib as unknown as { zstdCompressSync?: ZstdCompressSync }).zstdCompressSync;
  const zstdParams = zlib.constants as unknown as Record<string, number>;
  if (nodeZstd !== undefined) {
    // trace-cmd calls ZSTD_compress2 with the content-size flag disabled; level 3 is zstd's default.
    const params = { [zstdParams["ZSTD_c_contentSizeFlag"]!]: 0, [zstdParams["ZSTD_c_compressionLevel"]!]: 3 };
    return { name: "zstd", version: process.versions["zstd"] ?? "", compress: (block) => nodeZstd(block, { params }) };
  }
  // Checked first: without WebAssembly the codec's loader prints its own "Aborted(...)" on stderr.
  if (typeof WebAssembly === "undefined") throw new Error("no WebAssembly in this Node (--jitless?) and no zstd in node:zlib");
  const mod = (await import("@bokuweb/zstd-wasm")) as unknown as { default?: WasmZstd } & WasmZstd;
  const zstd = mod.default ?? mod;
  await zstd.init();
  // ZSTD_compress writes the content size too; readers (trace-cmd's ZSTD_decompressDCtx) accept both.
  return { name: "zstd", version: "wasm", compress: (block) => zstd.compress(block, 3) };
}

interface WasmZstd {
  init(): Promise<void>;
  compress(block: Uint8Array, level: number): Uint8Array;
}

/** The compressor for a name; undefined for "none". Rejects when no zstd codec loads (see zstdCompressor). */
export async function findBlockCompressor(name: TraceDatCompression): Promise<BlockCompressor | undefined> {
  if (name === "none") return undefined;
  if (name === "zstd") return zstdCompressor();
  // zlib: compress2(..., Z_BEST_COMPRESSION) produces an RFC 1950 stream, as deflateSync does.
  const zlib = await import("node:zlib");
  const version = (process.versions.zlib ?? "1.2.13").replace(/[^0-9.].*$/, "");
  return {
    name,
    version,
    compress: (block) => zlib.deflateSync(block, { level: zlib.constants.Z_BEST_COMPRESSION }),
  };
}

/**
 * The zstd compressor, loaded once; rejects with the reason when neither node:zlib nor the WebAssembly
 * codec can compress (for example `node --jitless`, which has no WebAssembly).
 */
export function zstdCompressor(): Promise<BlockCompressor> {
  const p = (zstdCodec ??= loadZstd());
  p.catch(() => (zstdCodec = undefined));
  return p;
}

/** The algorithms the writer can use on this machine, as `trace-cmd list -c` names them (zstd when a codec loads). */
export async function availableCompressions(): Promise<{ name: TraceDatCompression; version: string }[]> {
  const out: { name: TraceDatCompression; version: string }[] = [];
  try {
    out.push({ name: "zstd", version: (await zstdCompressor()).version });
  } catch {
    // no zstd codec here: record falls back to no compression
  }
  const zlibc = (await findBlockCompressor("zlib"))!;
  out.push({ name: "zlib", version: zlibc.version });
  return out;
}
