// The kallsyms scan as a small WebAssembly function. The scan runs once per process, over megabytes: as
// JavaScript it runs mostly before V8 has optimized it (its optimizing compile takes longer than the scan),
// ~2-5 ns a byte; V8's baseline WebAssembly compiler makes fast code at once. Same rules as scanLines() in
// kallsyms.ts, which stays for where WebAssembly is off (node --jitless). Where V8 has WebAssembly SIMD, line
// ends and 16-digit addresses are read 16 bytes at a time (a 3.6 MB text: ~8 -> ~4.5 ms); without it, byte by byte.

/**
 * Scan results: addresses in 32-bit halves and name starts, in text order (runs of equal addresses
 * reversed but the last). 12 bytes per symbol at most, 8 in most texts: each 4 kB of new memory costs a
 * page fault, more than scanning it. The high halves are mostly all the same (0xffffffff on a 64-bit
 * kernel, 0 on a 32-bit one): unless asked for `hi`, the scan gives where they change (`hiRuns`: pairs of
 * first index and high half), not 4 bytes per symbol (87k symbols: 85 pages).
 */
export interface ScannedKallsyms {
  hi?: Uint32Array;
  hiRuns: Uint32Array;
  lo: Uint32Array;
  /** Where each symbol's name starts (its line's end is found when the name is read). */
  starts: Int32Array;
  /** Index of the first symbol of the last run of equal addresses (not reversed yet). */
  runStart: number;
  /** An address was lower than the one before it. */
  descended: boolean;
}

/** Kallsyms text read in pieces: `read` fills `into` with the bytes at offset `at`. */
export interface ScanSource {
  readonly size: number;
  read(into: Uint8Array, at: number): void;
}

const WINDOW_BYTES = 64 * 1024;
/** Changes of the high half kept at most (more: the scan is run again with a high half per symbol). */
const MAX_HI_RUNS = 4096;
const PAGE_BYTES = 65536;

// Opcodes used below (WebAssembly core spec, binary format).
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d;
const VOID = 0x40, I32 = 0x7f, I64 = 0x7e;
const GET = 0x20, SET = 0x21, TEE = 0x22, GGET = 0x23, GSET = 0x24;
const LOAD8 = [0x2d, 0, 0], LOAD32 = [0x28, 2, 0], STORE32 = [0x36, 2, 0];
const EQZ = 0x45, EQ = 0x46, NE = 0x47, LT_U = 0x49, GT_U = 0x4b, GE_U = 0x4f, LT_S = 0x48;
const I64_NE = 0x52, I64_LT_U = 0x54, I64_OR = 0x84, I64_SHL = 0x86, I64_SHR_U = 0x88;
const ADD = 0x6a, SUB = 0x6b, AND = 0x71, OR = 0x72, SHL = 0x74;
const WRAP = 0xa7, EXTEND_U = 0xad, CTZ = 0x68;
// SIMD (fixed-width, 0xfd prefix): an unaligned 16-byte load, splat, compare, bitmask.
const V128 = 0x7b, V128_LOAD = [0xfd, 0x00, 0, 0], I8X16_SPLAT = [0xfd, 0x0f], I8X16_EQ = [0xfd, 0x23], I8X16_BITMASK = [0xfd, 0x64];
const I8X16_SHUFFLE = [0xfd, 0x0d], I64X2_EXTRACT_LANE = [0xfd, 0x1d], I8X16_LT_U = [0xfd, 0x26], V128_AND = [0xfd, 0x4e], V128_OR = [0xfd, 0x50];
const V128_BITSELECT = [0xfd, 0x52], I8X16_ALL_TRUE = [0xfd, 0x63], I8X16_SUB = [0xfd, 0x71], I16X8_SHL = [0xfd, 0x8b, 0x01], I16X8_SHR_U = [0xfd, 0x8d, 0x01];
/** A v128 of 16 equal bytes, and of 8 equal 16-bit lanes. */
const v128Const = (byte: number): Code => [0xfd, 0x0c, Array.from({ length: 16 }, () => byte)];
const v128Const16 = (lane: number): Code => [0xfd, 0x0c, Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? lane & 0xff : lane >> 8))];
const c32 = (v: number): Code => [0x41, sleb(v)];
const c64 = (v: number): Code => [0x42, sleb(v)];

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    const last = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    out.push(last ? b : b | 0x80);
    if (last) return out;
  }
}

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? b : b | 0x80);
  } while (v !== 0);
  return out;
}

/** Code as nested arrays of bytes, flattened once (spreads in code that runs once are slow). */
type Code = (number | Code)[];

function flatten(code: Code, out: number[]): number[] {
  for (const x of code) {
    if (typeof x === "number") out.push(x);
    else flatten(x, out);
  }
  return out;
}

const vec = (items: Code[]): Code => [uleb(items.length), items];
/** A section or function body: its size in bytes, then its bytes. */
const sized = (body: Code): Code => {
  const bytes = flatten(body, []);
  return [uleb(bytes.length), bytes];
};
/** A name as the binary format writes it: its length, then its bytes. */
const name = (text: string): Code => [uleb(text.length), Array.from(text, (ch) => ch.charCodeAt(0))];

// Parameters and locals of scan(pos, end, delta, hiAt, loAt, startsAt, runsAt, runsCap) -> void; hiAt -1:
// no high half per symbol.
const POS = 0, N = 1, DELTA = 2, HI = 3, LO = 4, STARTS = 5, RUNS = 6, RUNS_CAP = 7;
const P = 8, C = 9, START = 10, NS = 11, TYPE = 12, EOL = 13, D = 14, CNT = 15, I = 16, J = 17, H = 18, A = 19, T = 20, NL = 21, V = 22, V2 = 23;
// Globals: symbols so far, first of the current run, descended (0/1), the last address kept, the last
// high half, changes of the high half.
const G_COUNT = 0, G_RUN = 1, G_DESC = 2, G_PREV = 3, G_HI = 4, G_HI_RUNS = 5;

/** c = text[x] */
const loadC = (x: number): Code => [GET, x, LOAD8, SET, C];
/** x++; c = text[x] */
const nextC = (x: number): Code => [GET, x, c32(1), ADD, TEE, x, LOAD8, SET, C];
/** c === 32 || c === 9 */
const isBlank: Code = [GET, C, c32(32), EQ, GET, C, c32(9), EQ, OR];

/**
 * The function body: the lines in [pos, end) of memory, as scanLines() reads them, appended at index
 * `count` of the arrays at hiAt, loAt (u32) and startsAt (i32: name start plus delta).
 */
function scanBody(simd: boolean): Code {
  return [
    simd ? [c32(10), I8X16_SPLAT, SET, NL] : [],
    BLOCK, VOID, LOOP, VOID, // lines: br 0 = next line, br 1 = done
    GET, POS, GET, N, GE_U, BR_IF, 1,
    GET, POS, SET, P, loadC(P),
    // Leading blanks.
    BLOCK, VOID, LOOP, VOID,
    GET, P, GET, N, GE_U, BR_IF, 1,
    isBlank, EQZ, BR_IF, 1,
    nextC(P), BR, 0,
    END, END,
    // The address: hex digits, the last 16 kept. With SIMD, exactly 16 of them (a 64-bit kernel's) at once.
    c64(0), SET, A, GET, P, SET, START,
    BLOCK, VOID,
    simd ? [
      GET, P, c32(17), ADD, GET, N, GT_U, EQZ,
      IF, VOID,
      GET, P, V128_LOAD, SET, V,
      // Digits: (v - '0') < 10; letters: ((v | 0x20) - 'a') < 6; and the byte after them is no digit.
      GET, V, v128Const(48), I8X16_SUB, v128Const(10), I8X16_LT_U, TEE, V2,
      GET, V, v128Const(0x20), V128_OR, v128Const(97), I8X16_SUB, v128Const(6), I8X16_LT_U, V128_OR, I8X16_ALL_TRUE,
      GET, P, [0x2d, 0, 16], SET, D, // i32.load8_u offset=16
      GET, D, c32(48), SUB, c32(10), LT_U, GET, D, c32(32), OR, c32(97), SUB, c32(6), LT_U, OR, EQZ, AND,
      IF, VOID,
      // Nibble values, then pairs of them as bytes (first digit high), then the 8 bytes in little-endian order.
      GET, V, v128Const(48), I8X16_SUB, GET, V, v128Const(0x20), V128_OR, v128Const(87), I8X16_SUB, GET, V2, V128_BITSELECT, TEE, V,
      v128Const16(0x00ff), V128_AND, c32(4), I16X8_SHL, GET, V, c32(8), I16X8_SHR_U, V128_OR, TEE, V,
      GET, V, I8X16_SHUFFLE, [14, 12, 10, 8, 6, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      I64X2_EXTRACT_LANE, 0, SET, A,
      GET, P, c32(16), ADD, SET, P, loadC(P),
      BR, 2,
      END,
      END,
    ] : [],
    BLOCK, VOID, LOOP, VOID,
    GET, P, GET, N, GE_U, BR_IF, 1,
    BLOCK, VOID,
    GET, C, c32(48), SUB, TEE, D, c32(10), LT_U, BR_IF, 0,
    GET, C, c32(87), SUB, SET, D, GET, C, c32(97), SUB, c32(6), LT_U, BR_IF, 0,
    GET, C, c32(55), SUB, SET, D, GET, C, c32(65), SUB, c32(6), LT_U, BR_IF, 0,
    BR, 2, // not a digit
    END,
    GET, A, c64(4), I64_SHL, GET, D, EXTEND_U, I64_OR, SET, A,
    nextC(P), BR, 0,
    END, END,
    END,
    // Type and name start.
    GET, P, SET, NS, c32(10), SET, TYPE,
    GET, P, GET, START, GT_U, GET, P, GET, N, LT_U, AND, GET, C, c32(32), EQ, AND,
    IF, VOID,
    BLOCK, VOID, LOOP, VOID,
    GET, P, GET, N, GE_U, BR_IF, 1,
    GET, C, c32(32), NE, BR_IF, 1,
    nextC(P), BR, 0,
    END, END,
    GET, P, GET, N, LT_U, GET, C, c32(10), NE, AND,
    IF, VOID,
    GET, C, SET, TYPE,
    GET, P, c32(1), ADD, SET, NS, loadC(NS),
    BLOCK, VOID, LOOP, VOID,
    GET, NS, GET, N, GE_U, BR_IF, 1,
    isBlank, EQZ, BR_IF, 1,
    nextC(NS), BR, 0,
    END, END,
    GET, NS, GET, N, GE_U, GET, C, c32(10), EQ, OR,
    IF, VOID, c32(10), SET, TYPE, END,
    END,
    END,
    // Line end: 16 bytes at a time where there is SIMD (names and modules are most of the bytes), then a
    // byte at a time.
    GET, NS, SET, EOL,
    BLOCK, VOID,
    simd ? [
      BLOCK, VOID, LOOP, VOID,
      GET, EOL, c32(16), ADD, GET, N, GT_U, BR_IF, 1,
      GET, EOL, V128_LOAD, GET, NL, I8X16_EQ, I8X16_BITMASK, TEE, D,
      IF, VOID, GET, EOL, GET, D, CTZ, ADD, SET, EOL, BR, 3, END,
      GET, EOL, c32(16), ADD, SET, EOL, BR, 0,
      END, END,
    ] : [],
    BLOCK, VOID, LOOP, VOID,
    GET, EOL, GET, N, GE_U, BR_IF, 1,
    GET, EOL, LOAD8, c32(10), EQ, BR_IF, 1,
    GET, EOL, c32(1), ADD, SET, EOL, BR, 0,
    END, END,
    END,
    GET, EOL, c32(1), ADD, SET, POS,
    // No name; types A and a; $ names.
    GET, TYPE, c32(10), EQ, GET, TYPE, c32(65), EQ, OR, GET, TYPE, c32(97), EQ, OR, GET, C, c32(36), EQ, OR,
    BR_IF, 0,
    // A new address ends the run before it, which is reversed (later lines first).
    GGET, G_COUNT, TEE, CNT,
    IF, VOID,
    GET, A, GGET, G_PREV, I64_NE,
    IF, VOID,
    GET, A, GGET, G_PREV, I64_LT_U, IF, VOID, c32(1), GSET, G_DESC, END,
    GGET, G_RUN, SET, I, GET, CNT, c32(1), SUB, SET, J,
    BLOCK, VOID, LOOP, VOID,
    GET, I, GET, J, LT_S, EQZ, BR_IF, 1,
    GET, STARTS, GET, I, c32(2), SHL, ADD, LOAD32, SET, D,
    GET, STARTS, GET, I, c32(2), SHL, ADD, GET, STARTS, GET, J, c32(2), SHL, ADD, LOAD32, STORE32,
    GET, STARTS, GET, J, c32(2), SHL, ADD, GET, D, STORE32,
    GET, I, c32(1), ADD, SET, I, GET, J, c32(1), SUB, SET, J, BR, 0,
    END, END,
    GET, CNT, GSET, G_RUN,
    END,
    END,
    // The high half: where it changes, and per symbol when asked.
    GET, A, c64(32), I64_SHR_U, WRAP, SET, H,
    GET, CNT, EQZ, GET, H, GGET, G_HI, NE, OR,
    IF, VOID,
    GGET, G_HI_RUNS, GET, RUNS_CAP, LT_U,
    IF, VOID,
    GET, RUNS, GGET, G_HI_RUNS, c32(3), SHL, ADD, GET, CNT, STORE32,
    GET, RUNS, GGET, G_HI_RUNS, c32(3), SHL, ADD, c32(4), ADD, GET, H, STORE32,
    END,
    GGET, G_HI_RUNS, c32(1), ADD, GSET, G_HI_RUNS,
    GET, H, GSET, G_HI,
    END,
    GET, HI, c32(-1), NE, IF, VOID, GET, HI, GET, CNT, c32(2), SHL, ADD, GET, H, STORE32, END,
    GET, LO, GET, CNT, c32(2), SHL, ADD, GET, A, WRAP, STORE32,
    GET, STARTS, GET, CNT, c32(2), SHL, ADD, GET, NS, GET, DELTA, ADD, STORE32,
    GET, A, GSET, G_PREV,
    GET, CNT, c32(1), ADD, GSET, G_COUNT,
    BR, 0,
    END, END,
  ];
}

/** The scanner module's bytes as built (tests compare them with BUILT_MODULES). */
export function moduleBytes(simd: boolean): Uint8Array<ArrayBuffer> {
  const global = (type: number, init: Code): Code => [type, 1, init, END]; // mutable
  const exported = (what: string, kind: number, index: number): Code => [name(what), kind, index];
  return new Uint8Array(
    flatten(
      [
        [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], // magic, version 1
        [1, sized(vec([[0x60, vec(Array.from({ length: 8 }, () => [I32])), 0]]))], // type: (i32 x8) -> ()
        [2, sized(vec([[name("env"), name("mem"), 2, 0, 1]]))], // import: memory env.mem, at least 1 page
        [3, sized(vec([[0]]))], // function 0 has type 0
        [6, sized(vec([global(I32, c32(0)), global(I32, c32(0)), global(I32, c32(0)), global(I64, c64(0)), global(I32, c32(0)), global(I32, c32(0))]))],
        [7, sized(vec([exported("scan", 0, 0), exported("count", 3, G_COUNT), exported("run", 3, G_RUN), exported("desc", 3, G_DESC), exported("hiRuns", 3, G_HI_RUNS)]))],
        // Locals after the 8 parameters: P..H are i32, A and T i64, NL (16 newlines), V and V2 v128.
        [10, sized(vec([sized([vec(simd ? [[11, I32], [2, I64], [3, V128]] : [[11, I32], [2, I64]]), scanBody(simd), END])]))],
      ],
      [],
    ),
  );
}

/**
 * moduleBytes(true) and moduleBytes(false) as base64, written out: building them at every start cost a
 * short report ~1.3 ms and ~230 kB of garbage (the builder's nested arrays, run unoptimized). A test checks
 * that they are what moduleBytes() builds, and prints the new text when the scanner changes.
 */
export const BUILT_MODULES: { readonly simd: string; readonly plain: string } = {
  simd: "AGFzbQEAAAABDAFgCH9/f39/f39/AAIMAQNlbnYDbWVtAgABAwIBAAYfBn8BQQALfwFBAAt/AUEAC34BQgALfwFBAAt/AUEACwcmBQRzY2FuAAAFY291bnQDAANydW4DAQRkZXNjAwIGaGlSdW5zAwUKgQgB/gcDC38CfgN7QQr9DyEVAkADQCAAIAFPDQEgACEIIAgtAAAhCQJAA0AgCCABTw0BIAlBIEYgCUEJRnJFDQEgCEEBaiIILQAAIQkMAAsLQgAhEyAIIQoCQCAIQRFqIAFLRQRAIAj9AAAAIRYgFv0MMDAwMDAwMDAwMDAwMDAwMP1x/QwKCgoKCgoKCgoKCgoKCgoK/SYiFyAW/QwgICAgICAgICAgICAgICAg/VD9DGFhYWFhYWFhYWFhYWFhYWH9cf0MBgYGBgYGBgYGBgYGBgYGBv0m/VD9YyAILQAQIQ4gDkEwa0EKSSAOQSByQeEAa0EGSXJFcQRAIBb9DDAwMDAwMDAwMDAwMDAwMDD9cSAW/QwgICAgICAgICAgICAgICAg/VD9DFdXV1dXV1dXV1dXV1dXV1f9cSAX/VIiFv0M/wD/AP8A/wD/AP8A/wD/AP1OQQT9iwEgFkEI/Y0B/VAiFiAW/Q0ODAoIBgQCAAAAAAAAAAAA/R0AIRMgCEEQaiEIIAgtAAAhCQwCCwsCQANAIAggAU8NAQJAIAlBMGsiDkEKSQ0AIAlB1wBrIQ4gCUHhAGtBBkkNACAJQTdrIQ4gCUHBAGtBBkkNAAwCCyATQgSGIA6thCETIAhBAWoiCC0AACEJDAALCwsgCCELQQohDCAIIApLIAggAUlxIAlBIEZxBEACQANAIAggAU8NASAJQSBHDQEgCEEBaiIILQAAIQkMAAsLIAggAUkgCUEKR3EEQCAJIQwgCEEBaiELIAstAAAhCQJAA0AgCyABTw0BIAlBIEYgCUEJRnJFDQEgC0EBaiILLQAAIQkMAAsLIAsgAU8gCUEKRnIEQEEKIQwLCwsgCyENAkACQANAIA1BEGogAUsNASAN/QAAACAV/SP9ZCIOBEAgDSAOaGohDQwDCyANQRBqIQ0MAAsLAkADQCANIAFPDQEgDS0AAEEKRg0BIA1BAWohDQwACwsLIA1BAWohACAMQQpGIAxBwQBGciAMQeEARnIgCUEkRnINACMAIg8EQCATIwNSBEAgEyMDVARAQQEkAgsjASEQIA9BAWshEQJAA0AgECARSEUNASAFIBBBAnRqKAIAIQ4gBSAQQQJ0aiAFIBFBAnRqKAIANgIAIAUgEUECdGogDjYCACAQQQFqIRAgEUEBayERDAALCyAPJAELCyATQiCIpyESIA9FIBIjBEdyBEAjBSAHSQRAIAYjBUEDdGogDzYCACAGIwVBA3RqQQRqIBI2AgALIwVBAWokBSASJAQLIANBf0cEQCADIA9BAnRqIBI2AgALIAQgD0ECdGogE6c2AgAgBSAPQQJ0aiALIAJqNgIAIBMkAyAPQQFqJAAMAAsLCw==",
  plain: "AGFzbQEAAAABDAFgCH9/f39/f39/AAIMAQNlbnYDbWVtAgABAwIBAAYfBn8BQQALfwFBAAt/AUEAC34BQgALfwFBAAt/AUEACwcmBQRzY2FuAAAFY291bnQDAANydW4DAQRkZXNjAwIGaGlSdW5zAwUKjwUBjAUCC38CfgJAA0AgACABTw0BIAAhCCAILQAAIQkCQANAIAggAU8NASAJQSBGIAlBCUZyRQ0BIAhBAWoiCC0AACEJDAALC0IAIRMgCCEKAkACQANAIAggAU8NAQJAIAlBMGsiDkEKSQ0AIAlB1wBrIQ4gCUHhAGtBBkkNACAJQTdrIQ4gCUHBAGtBBkkNAAwCCyATQgSGIA6thCETIAhBAWoiCC0AACEJDAALCwsgCCELQQohDCAIIApLIAggAUlxIAlBIEZxBEACQANAIAggAU8NASAJQSBHDQEgCEEBaiIILQAAIQkMAAsLIAggAUkgCUEKR3EEQCAJIQwgCEEBaiELIAstAAAhCQJAA0AgCyABTw0BIAlBIEYgCUEJRnJFDQEgC0EBaiILLQAAIQkMAAsLIAsgAU8gCUEKRnIEQEEKIQwLCwsgCyENAkACQANAIA0gAU8NASANLQAAQQpGDQEgDUEBaiENDAALCwsgDUEBaiEAIAxBCkYgDEHBAEZyIAxB4QBGciAJQSRGcg0AIwAiDwRAIBMjA1IEQCATIwNUBEBBASQCCyMBIRAgD0EBayERAkADQCAQIBFIRQ0BIAUgEEECdGooAgAhDiAFIBBBAnRqIAUgEUECdGooAgA2AgAgBSARQQJ0aiAONgIAIBBBAWohECARQQFrIREMAAsLIA8kAQsLIBNCIIinIRIgD0UgEiMER3IEQCMFIAdJBEAgBiMFQQN0aiAPNgIAIAYjBUEDdGpBBGogEjYCAAsjBUEBaiQFIBIkBAsgA0F/RwRAIAMgD0ECdGogEjYCAAsgBCAPQQJ0aiATpzYCACAFIA9BAnRqIAsgAmo2AgAgEyQDIA9BAWokAAwACwsL",
};

/** The compiled module by scanOptions.simd. */
const compiled = new Map<boolean, WebAssembly.Module | null>();

/** Whether the scanner may use SIMD (tests turn it off to check the other one). */
export const scanOptions = { simd: true };

/**
 * The compiled module (with SIMD where V8 takes it), or null where WebAssembly is off or refuses it. V8 may
 * tier it up in the background: keeping it on the baseline compiler (--liftoff-only, as the zstd decoder is
 * on Node 20) needs node:v8, whose load brings Node's streams and cost more (a v6 funcgraph report: wall
 * 0.97x without it on Node 20 and 22).
 */
function scanModule(): WebAssembly.Module | null {
  const key = scanOptions.simd;
  let mod = compiled.get(key);
  if (mod !== undefined) return mod;
  mod = null;
  for (const simd of key ? [true, false] : [false]) {
    try {
      if (typeof WebAssembly !== "undefined") mod = new WebAssembly.Module(Buffer.from(simd ? BUILT_MODULES.simd : BUILT_MODULES.plain, "base64"));
      break;
    } catch {
      // No SIMD here (or no WebAssembly): the next one.
    }
  }
  compiled.set(key, mod);
  return mod;
}

/**
 * Scans kallsyms text with the WebAssembly scanner; undefined where WebAssembly is not available. The
 * arrays returned are views of the scanner's memory (no copy). At most one kept line per 5 bytes
 * ("0 Tx\n"), so the arrays are sized for that once: memory never touched costs nothing.
 */
export function scanKallsymsWasm(src: ScanSource, withHi = false): ScannedKallsyms | undefined {
  const mod = scanModule();
  if (mod === null) return undefined;
  const cap = Math.floor((src.size + 1) / 5) + 1;
  const loAt = 0;
  const startsAt = cap * 4;
  const hiAt = withHi ? cap * 8 : -1;
  const runsAt = cap * 12;
  const winAt = runsAt + MAX_HI_RUNS * 8;
  let winLen = Math.min(WINDOW_BYTES, Math.max(16, src.size));
  // One byte of slack past the window: the scan may read the byte at its end (never used).
  const pagesFor = (bytes: number): number => Math.ceil(bytes / PAGE_BYTES);
  const mem = new WebAssembly.Memory({ initial: pagesFor(winAt + winLen + 8) });
  const x = new WebAssembly.Instance(mod, { env: { mem } }).exports as unknown as {
    scan(pos: number, end: number, delta: number, hiAt: number, loAt: number, startsAt: number, runsAt: number, runsCap: number): void;
    count: WebAssembly.Global;
    run: WebAssembly.Global;
    desc: WebAssembly.Global;
    hiRuns: WebAssembly.Global;
  };
  let base = 0; // offset in the text of the window's first byte
  let len = 0; // bytes of the window filled
  while (base + len < src.size || len > 0) {
    const want = Math.min(winLen - len, src.size - base - len);
    if (want > 0) src.read(new Uint8Array(mem.buffer, winAt + len, want), base + len);
    len += want;
    const last = base + len >= src.size;
    const win = new Uint8Array(mem.buffer, winAt, len);
    // Whole lines only, but for the last piece of the text.
    const end = last ? len : win.lastIndexOf(10, len - 1) + 1;
    if (end === 0) {
      // A line longer than the window: a larger window (at the end of memory, so it grows in place).
      winLen *= 2;
      const need = pagesFor(winAt + winLen + 8) - mem.buffer.byteLength / PAGE_BYTES;
      if (need > 0) mem.grow(need);
      continue;
    }
    x.scan(winAt, winAt + end, base - winAt, hiAt, loAt, startsAt, runsAt, MAX_HI_RUNS);
    new Uint8Array(mem.buffer).copyWithin(winAt, winAt + end, winAt + len);
    base += end;
    len -= end;
    if (last) break;
  }
  const count = x.count.value as number;
  const runs = x.hiRuns.value as number;
  if (!withHi && runs > MAX_HI_RUNS) return scanKallsymsWasm(src, true);
  return {
    hi: withHi ? new Uint32Array(mem.buffer, hiAt, count) : undefined,
    hiRuns: new Uint32Array(mem.buffer, runsAt, Math.min(runs, MAX_HI_RUNS) * 2),
    lo: new Uint32Array(mem.buffer, loAt, count),
    starts: new Int32Array(mem.buffer, startsAt, count),
    runStart: x.run.value as number,
    descended: x.desc.value !== 0,
  };
}
