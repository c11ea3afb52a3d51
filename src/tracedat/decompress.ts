// Block decompression for v7 files (../shared/docs/trace-dat-format.md §5.1): every block is an
// independent zstd frame (no content-size field) or zlib stream, and its uncompressed size is known.
// zstd comes from node:zlib where Node has it (22.15+), else from the zstddec WebAssembly decoder, loaded
// only when a file is compressed: nothing here needs a native build (issue 11). node:zlib is imported
// on first use too: it loads Node's streams, which an uncompressed file does not need.
import { readFileSync } from "node:fs";
import { isShortLived, setShortLivedFlag } from "../base/index.js";

/** Decompresses one block into `dst` (whose length is the expected size); returns the bytes written. */
export interface BlockDecompressor {
  (src: Uint8Array, dst: Uint8Array): number;
  /**
   * The block in the decoder's own new array (its length is what was decompressed): no copy into a
   * buffer of the caller's, for one-off blocks of megabytes (each page of new memory costs a fault).
   */
  whole(src: Uint8Array, size: number): Uint8Array;
  /**
   * As whole(), for a block read straight into memory the decoder gives: `fill` writes the `srcSize`
   * compressed bytes. For one-off blocks of megabytes (kallsyms): node:zlib's zstd wants room in front of
   * the frame (see zstdWithContentSize), and a copy of the block to get it would cost page faults.
   */
  wholeFrom(fill: (src: Uint8Array) => void, srcSize: number, size: number): Uint8Array;
  /**
   * The block decoded into memory the decoder keeps, read through `read` (offsets in the block): for a
   * section read piece by piece (kallsyms, megabytes), whose copy into a new array costs a page fault per
   * 4 kB. `fill` writes the `srcSize` compressed bytes straight into the decoder's memory. The memory is
   * freed when the reader is garbage collected. Absent where the decoder has no memory of its own
   * (node:zlib). Its `size` is what was decompressed (short when the block does not decode).
   */
  kept?(fill: (src: Uint8Array) => void, srcSize: number, size: number): KeptBlock;
}

/** A decompressed block in the decoder's memory. */
export interface KeptBlock {
  readonly size: number;
  read(into: Uint8Array, at: number): void;
}

function blockDecompressor(decode: (src: Uint8Array, size: number) => Uint8Array): BlockDecompressor {
  // node:zlib throws on a block that does not decode: it comes back short (empty), as from the WebAssembly decoder.
  const whole = (src: Uint8Array, size: number): Uint8Array => {
    try {
      return decode(src, size);
    } catch {
      return new Uint8Array(0);
    }
  };
  return Object.assign((src: Uint8Array, dst: Uint8Array) => copyOut(whole(src, dst.length), dst), { whole, wholeFrom: filledThen(whole) });
}

/** wholeFrom() for a decoder that takes the block anywhere: a new array, filled, then decoded. */
function filledThen(whole: (src: Uint8Array, size: number) => Uint8Array): BlockDecompressor["wholeFrom"] {
  return (fill, srcSize, size) => {
    const src = new Uint8Array(srcSize);
    fill(src);
    return whole(src, size);
  };
}

type ZstdSync = (src: Uint8Array, options: { maxOutputLength: number; chunkSize: number }) => Buffer;

/**
 * node:zlib options for a block of known size: the output in one chunk of that size. By default a sync
 * call collects 16 kB chunks and concatenates them: twice the new memory (measured on a 3.6 MB kallsyms
 * section, Node 22: 2386 page faults, 1514 with one chunk).
 */
function oneChunk(size: number): { maxOutputLength: number; chunkSize: number } {
  return { maxOutputLength: Math.max(size, 1), chunkSize: Math.max(size, 64) };
}

const ZSTD_MAGIC = 0xfd2fb528;
/**
 * Room a frame header needs for a 4-byte content size (Frame_Content_Size_flag 2, RFC 8878 §3.1.1.1.1).
 * @internal Exported for the tests.
 */
export const SIZE_FIELD_BYTES = 4;
/** Blocks up to this size are copied into the decoder's reused input buffer to get that room. */
const REUSED_INPUT_MAX_BYTES = 256 << 10;

/**
 * Where the zstd frame at `at` in `buf` ends (its blocks and checksum walked, RFC 8878 §3.1.1.2), or -1
 * when it is not one whole frame there.
 */
function zstdFrameEnd(buf: Uint8Array, at: number): number {
  const fhd = buf[at + 4]!;
  let p = at + 5 + ((fhd & 0x20) === 0 ? 1 : 0) + [0, 1, 2, 4][fhd & 3]! + [(fhd & 0x20) === 0 ? 0 : 1, 2, 4, 8][fhd >> 6]!;
  for (;;) {
    if (p + 3 > buf.length) return -1;
    const h = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16);
    const type = (h >> 1) & 3;
    if (type === 3) return -1;
    p += 3 + (type === 1 ? 1 : h >>> 3);
    if ((h & 1) !== 0) break;
  }
  p += (fhd & 4) !== 0 ? 4 : 0;
  return p <= buf.length ? p : -1;
}

/**
 * Writes `size` into the header of the zstd frame that starts SIZE_FIELD_BYTES into `buf` (in the room the
 * caller leaves there); the frame then starts at 0. Returns the number of header bytes moved (to undo it),
 * or 0 when the frame is left as it is: it has a size already, or `buf` is not one whole zstd frame.
 * @internal Exported for the tests.
 */
export function addZstdContentSize(buf: Uint8Array, size: number): number {
  const at = SIZE_FIELD_BYTES;
  if (buf.length < at + 6 || new DataView(buf.buffer, buf.byteOffset + at, 4).getUint32(0, true) !== ZSTD_MAGIC) return 0;
  const fhd = buf[at + 4]!;
  if ((fhd & 0xe0) !== 0 || zstdFrameEnd(buf, at) !== buf.length) return 0;
  // Magic, descriptor, window descriptor and dictionary id move to the front; the size goes after them.
  const headBytes = 6 + [0, 1, 2, 4][fhd & 3]!;
  buf.copyWithin(0, at, at + headBytes);
  buf[4] = fhd | 0x80;
  new DataView(buf.buffer, buf.byteOffset + headBytes, 4).setUint32(0, size, true);
  return headBytes;
}

/**
 * node:zlib's zstd for a block whose frame starts SIZE_FIELD_BYTES into `buf` (room which this overwrites).
 * trace-cmd writes frames without their content size, and node:zlib's decoder, a stream, then decodes
 * through a buffer of the frame's window size (2 MB for a kallsyms section) and copies into its output.
 * Given a frame with its size and all of its bytes, zstd decodes it straight into the output (3.6 MB
 * kallsyms section, Node 22: 1533 page faults -> 955, ~6 ms). A frame that then does not decode is
 * decoded as it was, so that a damaged block fails as before.
 */
function zstdWithContentSize(decode: ZstdSync, buf: Uint8Array, size: number): Uint8Array {
  const at = SIZE_FIELD_BYTES;
  const fhd = buf[at + 4];
  const moved = addZstdContentSize(buf, size);
  if (moved === 0) return decode(buf.subarray(at), oneChunk(size));
  try {
    return decode(buf, oneChunk(size));
  } catch {
    buf.copyWithin(at, 0, moved);
    buf[at + 4] = fhd!;
    return decode(buf.subarray(at), oneChunk(size));
  }
}

let wasmDecoder: Promise<BlockDecompressor> | undefined;

/** Files up to this size decode with V8's baseline compiler only, in the CLI (see loadWasmDecoder). */
const BASELINE_ONLY_MAX_FILE_BYTES = 8 << 20;

/** What zstddec's WebAssembly module exports (its instance is not public; see loadWasmDecoder). */
interface ZstdExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(ptr: number): void;
  ZSTD_decompress(dst: number, dstCapacity: number, src: number, srcSize: number): number;
  ZSTD_isError(code: number): number;
}

/**
 * Decodes into the caller's array through two buffers kept in the module's memory. zstddec's own decode()
 * allocates both per block and returns a new array: on a large file those fresh pages (a new array per
 * block, ~70 MB for the 1.7M-event bench file) cost more than the decompression itself.
 */
function directDecompressor(x: ZstdExports): BlockDecompressor {
  let srcPtr = 0;
  let srcCap = 0;
  let dstPtr = 0;
  let dstCap = 0;
  const reserve = (ptr: number, cap: number, need: number): [number, number] => {
    if (need <= cap) return [ptr, cap];
    const size = Math.max(need, 1 << 16);
    const p = x.malloc(size);
    // The old buffer stays in use when the new one cannot be had.
    if (p === 0) throw new Error(`zstd: out of WebAssembly memory for ${size} bytes`);
    if (ptr !== 0) x.free(ptr);
    return [p, size];
  };
  const decode = (src: Uint8Array, dst: Uint8Array): number => {
    [srcPtr, srcCap] = reserve(srcPtr, srcCap, src.length);
    [dstPtr, dstCap] = reserve(dstPtr, dstCap, dst.length);
    // A view per call: the module's memory (and so its buffer) may have grown in malloc.
    const heap = new Uint8Array(x.memory.buffer);
    heap.set(src, srcPtr);
    const n = x.ZSTD_decompress(dstPtr, dst.length, srcPtr, src.length);
    // A block that does not decode comes back empty (callers compare with the expected size).
    if (x.ZSTD_isError(n) !== 0) return 0;
    dst.set(heap.subarray(dstPtr, dstPtr + n));
    return n;
  };
  // Kept blocks are freed with their reader (a process reading one file never gets there).
  const kept = new FinalizationRegistry<number>((ptr) => x.free(ptr));
  const whole = (src: Uint8Array, size: number): Uint8Array => {
    const out = new Uint8Array(size);
    return out.subarray(0, decode(src, out));
  };
  return Object.assign(decode, {
    whole,
    wholeFrom: filledThen(whole),
    kept(fill: (src: Uint8Array) => void, srcSize: number, size: number): KeptBlock {
      [srcPtr, srcCap] = reserve(srcPtr, srcCap, srcSize);
      const ptr = x.malloc(Math.max(size, 1));
      if (ptr === 0) throw new Error(`zstd: out of WebAssembly memory for ${size} bytes`);
      fill(new Uint8Array(x.memory.buffer, srcPtr, srcSize));
      const r = x.ZSTD_decompress(ptr, size, srcPtr, srcSize);
      const n = x.ZSTD_isError(r) !== 0 ? 0 : r;
      const block: KeptBlock = {
        size: n,
        read(into: Uint8Array, at: number): void {
          if (at < 0 || at + into.length > n) throw new RangeError(`read of ${into.length} bytes at ${at} outside a block of ${n}`);
          // A view per read: the module's memory (and so its buffer) may have grown since.
          into.set(new Uint8Array(x.memory.buffer, ptr + at, into.length));
        },
      };
      kept.register(block, ptr);
      return block;
    },
  });
}

/** Whether the zstddec module the build writes beside this file is used (tests turn it off to check the import). */
export const zstdOptions = { shipped: true };

/**
 * zstddec's module from the file that the build writes beside this one (tools/zstd-wasm.mjs), compiled
 * and instantiated; undefined without that file or when it does not export what directDecompressor() uses.
 */
function shippedDecoder(): ZstdExports | undefined {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = readFileSync(new URL("./zstddec.wasm", import.meta.url)) as Uint8Array<ArrayBuffer>;
  } catch {
    return undefined;
  }
  // Its one import tells of memory growth; directDecompressor() makes a view of the memory per call.
  const imports = { env: { emscripten_notify_memory_growth: (): void => undefined } };
  const x = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports as Partial<ZstdExports>;
  return x.memory !== undefined && x.malloc && x.free && x.ZSTD_decompress && x.ZSTD_isError ? (x as ZstdExports) : undefined;
}

/** The zstddec decoder, instantiated once: from the module the build ships beside this file, else from the zstddec package. */
function loadWasmDecoder(fileBytes: number): Promise<BlockDecompressor> {
  return (wasmDecoder ??= (async () => {
    if (typeof WebAssembly === "undefined") throw new Error("WebAssembly is not available (node --jitless?)");
    // In a short-lived process (the CLI) reading a small file, V8's baseline compiler alone (Liftoff):
    // tiering the decoder up to TurboFan cost ~130 ms of CPU before a small zstd report's first line. A
    // large file keeps the tier-up: its faster code repays the compile (the 1.7M-event bench file took
    // ~4% longer without it). A process-wide flag, so never set for an application embedding the library.
    if (isShortLived() && fileBytes <= BASELINE_ONLY_MAX_FILE_BYTES) {
      // Undone with the two flags it turns off (V8 11.3, Node 20): the script cache needs the flags back.
      setShortLivedFlag((await import("node:v8")).setFlagsFromString, "--liftoff-only", "--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering");
    }
    const shipped = zstdOptions.shipped ? shippedDecoder() : undefined;
    if (shipped !== undefined) return directDecompressor(shipped);
    const { ZSTDDecoder } = await import("zstddec");
    const decoder = new ZSTDDecoder();
    // zstddec fetches its inline module through a data: URL when fetch exists, and the first fetch()
    // loads Node's whole HTTP client (about 30 ms here). Hide fetch for that call so that it uses
    // WebAssembly.instantiate on the bytes instead; the property is restored before anything else runs.
    // That call is also watched, to get the instance for directDecompressor().
    const fetch = Object.getOwnPropertyDescriptor(globalThis, "fetch");
    if (fetch?.configurable) Reflect.deleteProperty(globalThis, "fetch");
    const instantiate = WebAssembly.instantiate;
    let instance: Promise<WebAssembly.Instance> | undefined;
    WebAssembly.instantiate = ((bytes: BufferSource, imports?: WebAssembly.Imports) => {
      const p = instantiate(bytes, imports);
      instance ??= p.then((r) => r.instance);
      return p;
    }) as unknown as typeof instantiate;
    let ready: Promise<void>;
    try {
      ready = decoder.init();
    } finally {
      WebAssembly.instantiate = instantiate;
      if (fetch?.configurable) Object.defineProperty(globalThis, "fetch", fetch);
    }
    await ready;
    const x = (await instance)?.exports as Partial<ZstdExports> | undefined;
    if (x?.memory !== undefined && x.malloc && x.free && x.ZSTD_decompress && x.ZSTD_isError) return directDecompressor(x as ZstdExports);
    // Another zstddec version: its own decode(). A block that does not decode comes back short.
    return blockDecompressor((src, size) => decoder.decode(src, size));
  })());
}

async function zstdDecompressor(fileBytes: number): Promise<BlockDecompressor> {
  // Node's own zstd (22.15 and later; process.versions names its zstd); undefined on older versions, where
  // node:zlib is not loaded for nothing (a few ms of a small report).
  const nodeZstd = process.versions["zstd"] === undefined ? undefined : ((await import("node:zlib")) as unknown as { zstdDecompressSync?: ZstdSync }).zstdDecompressSync;
  if (nodeZstd !== undefined) {
    // Small blocks (a file's pages) get the room in front by a copy into one input buffer, reused.
    let input = new Uint8Array(0);
    const d = blockDecompressor((src, size) => {
      const n = src.length + SIZE_FIELD_BYTES;
      if (n > REUSED_INPUT_MAX_BYTES) return nodeZstd(src, oneChunk(size));
      if (input.length < n) input = new Uint8Array(Math.max(n, 2 * input.length));
      const buf = input.subarray(0, n);
      buf.set(src, SIZE_FIELD_BYTES);
      return zstdWithContentSize(nodeZstd, buf, size);
    });
    // A large block is read into its own array with the room in front.
    d.wholeFrom = (fill, srcSize, size) => {
      const buf = new Uint8Array(SIZE_FIELD_BYTES + srcSize);
      fill(buf.subarray(SIZE_FIELD_BYTES));
      try {
        return zstdWithContentSize(nodeZstd, buf, size);
      } catch {
        return new Uint8Array(0);
      }
    };
    return d;
  }
  try {
    return await loadWasmDecoder(fileBytes);
  } catch (e) {
    wasmDecoder = undefined;
    throw new Error(`no zstd decoder: Node ${process.version} has no zstd in node:zlib and the zstddec WebAssembly decoder did not load (${(e as Error).message})`, { cause: e });
  }
}

function copyOut(out: Uint8Array, dst: Uint8Array): number {
  dst.set(out.length > dst.length ? out.subarray(0, dst.length) : out);
  return out.length;
}

async function zlibDecompressor(): Promise<BlockDecompressor> {
  const zlib = await import("node:zlib");
  return blockDecompressor((src, size) => zlib.inflateSync(src, oneChunk(size)));
}

/**
 * The decompressor for a v7 compression name, or undefined when the name is unknown. `fileBytes`, the size
 * of the file to read, picks how the WebAssembly decoder is compiled (see loadWasmDecoder).
 */
export async function findDecompressor(name: string, fileBytes = Infinity): Promise<BlockDecompressor | undefined> {
  if (name === "zstd") return zstdDecompressor(fileBytes);
  if (name === "zlib") return zlibDecompressor();
  return undefined;
}
