#!/usr/bin/env node
// The floor of a small report that prints kernel symbols from a compressed (v7) file (bench/startup.mjs):
// node, plus reading that file's kallsyms section and decompressing it, alone, with the decoder ftk uses
// (dist/tracedat/decompress.js: node:zlib's zstd on Node 22.15+, the WebAssembly decoder before, set up
// as for the CLI). Nothing else of ftk is loaded: no metadata, no scan, no events.
// Usage: node bench/kallsyms-floor.mjs FILE.dat   (prints the decompressed size)
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const KALLSYMS = 19; // option id of the kallsyms section (trace-dat-format.md §6)
const path = process.argv[2];
const fd = openSync(path, "r");
const read = (at, n) => {
  const b = Buffer.alloc(n);
  const got = readSync(fd, b, 0, n, at);
  if (got !== n) throw new Error(`${path}: short read at ${at}`);
  return b;
};
// Header: magic (10 bytes), version "7\0", endian, long size, page size (4), compression and its version
// (two C strings), then the offset of the first options section.
const head = read(0, 256);
if (head.toString("latin1", 10, 12) !== "7\0") throw new Error(`${path}: not a version 7 trace.dat (compressed sections are v7's)`);
let p = head.indexOf(0, 10) + 1 + 1 + 1 + 4;
const compression = head.toString("latin1", p, head.indexOf(0, p));
p = head.indexOf(0, head.indexOf(0, p) + 1) + 1;
let next = Number(head.readBigUInt64LE(p));
let section;
while (next !== 0 && section === undefined) {
  const size = Number(read(next + 8, 8).readBigUInt64LE(0));
  const body = read(next + 16, size);
  next = 0;
  for (let q = 0; q + 6 <= body.length; ) {
    const id = body.readUInt16LE(q);
    const n = body.readUInt32LE(q + 2);
    const payload = body.subarray(q + 6, q + 6 + n);
    q += 6 + n;
    if (id === 0) {
      next = n >= 8 ? Number(payload.readBigUInt64LE(0)) : 0;
      break;
    }
    if (id === KALLSYMS) section = Number(payload.readBigUInt64LE(0));
  }
}
if (section === undefined) throw new Error(`${path}: no kallsyms section`);
// Section header (16 bytes: id, flags, description, size), then for a compressed one: compressed and
// uncompressed sizes, and the frame.
const [csize, usize] = [read(section + 16, 4).readUInt32LE(0), read(section + 20, 4).readUInt32LE(0)];
const { markShortLived } = await import("../dist/base/index.js");
markShortLived();
const { findDecompressor } = await import("../dist/tracedat/decompress.js");
const decompress = await findDecompressor(compression, fstatSync(fd).size);
// As ftk reads it: straight into the WebAssembly decoder's memory, kept there, where it can; else into
// memory node:zlib's decoder gives (wholeFrom: its zstd wants room in front of the frame) and into a new array.
const fill = (into) => {
  if (readSync(fd, into, 0, csize, section + 24) !== csize) throw new Error(`${path}: short read of the kallsyms section`);
};
const size = decompress.kept !== undefined ? decompress.kept(fill, csize, usize).size : decompress.wholeFrom(fill, csize, usize).length;
closeSync(fd);
if (size !== usize) throw new Error(`${path}: kallsyms decompressed to ${size} bytes instead of ${usize}`);
process.stdout.write(`${size}\n`);
