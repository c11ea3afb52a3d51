import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbeError } from "../../base/index.js";
import { ElfFile } from "./elf-file.js";
import { hasTool } from "../testing.js";
import { mulberry32 } from "../../test-support/prng.js";

// Oracle: binutils readelf. Each test compares our reading of a file with `readelf -sW` / `-lW` / `-SW`.
const hasReadelf = hasTool("readelf");
const hasGcc = hasTool("gcc");

interface ReadelfSymbol { num: number; value: number; size: number; type: string; bind: string; ndx: string; name: string }

/** Symbols per table (".dynsym", ".symtab") as readelf -sW prints them; the ` (N)` version index suffix is dropped. */
function readelfSymbols(path: string): Map<string, ReadelfSymbol[]> {
  const text = execFileSync("readelf", ["-sW", path], { encoding: "latin1", maxBuffer: 64 << 20 });
  const tables = new Map<string, ReadelfSymbol[]>();
  let cur: ReadelfSymbol[] | undefined;
  for (const line of text.split("\n")) {
    const t = /^Symbol table '(\S+)'/.exec(line);
    if (t !== null) {
      cur = [];
      tables.set(t[1]!, cur);
      continue;
    }
    const m = /^\s*(\d+):\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s?(.*)$/.exec(line);
    if (m === null || cur === undefined) continue;
    cur.push({
      num: Number(m[1]), value: parseInt(m[2]!, 16), size: Number(m[3]), type: m[4]!, bind: m[5]!, ndx: m[6]!,
      name: m[7]!.replace(/ \(\d+\)$/, ""),
    });
  }
  return tables;
}

function readelfLoads(path: string): { offset: number; vaddr: number; fileSize: number; memSize: number }[] {
  const text = execFileSync("readelf", ["-lW", path], { encoding: "latin1" });
  const out = [];
  for (const m of text.matchAll(/^\s*LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)/gm)) {
    out.push({ offset: Number(m[1]), vaddr: Number(m[2]), fileSize: Number(m[3]), memSize: Number(m[4]) });
  }
  return out;
}

/** Section [index] -> (addr, offset) from readelf -SW. */
function readelfSections(path: string): Map<number, { name: string; addr: number; offset: number }> {
  const text = execFileSync("readelf", ["-SW", path], { encoding: "latin1" });
  const out = new Map<number, { name: string; addr: number; offset: number }>();
  for (const m of text.matchAll(/^\s*\[\s*(\d+)\]\s+(\S*)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)/gm)) {
    out.set(Number(m[1]), { name: m[2]!, addr: parseInt(m[3]!, 16), offset: parseInt(m[4]!, 16) });
  }
  return out;
}

/** Asserts that our symbols of both tables equal readelf's, entry by entry. */
async function assertSymbolsMatchReadelf(path: string): Promise<number> {
  const oracle = readelfSymbols(path);
  const elf = await ElfFile.open(path);
  let compared = 0;
  try {
    for (const [secName, table] of [[".dynsym", "dynsym"], [".symtab", "symtab"]] as const) {
      const want = oracle.get(secName) ?? [];
      const got = await elf.symbols(table);
      assert.equal(got.length, Math.max(0, want.length - 1), `${path} ${secName}: symbol count`);
      for (const w of want) {
        if (w.num === 0) continue;
        const g = got[w.num - 1]!;
        // readelf shows a section symbol by its section's name.
        const shown = g.type === "SECTION" && g.name === "" ? (elf.sections[g.shndx]?.name ?? "") : g.versionedName;
        const ours = { value: g.value, size: g.size, type: g.type, bind: g.bind, name: shown };
        const theirs = { value: w.value, size: w.size, type: w.type, bind: w.bind, name: w.name };
        assert.deepEqual(ours, theirs, `${path} ${secName}[${w.num}]`);
        compared++;
      }
    }
  } finally {
    await elf.close();
  }
  return compared;
}

/** Asserts LOAD segments equal readelf's and that every defined function's file offset agrees with its section. */
async function assertOffsetsMatchReadelf(path: string): Promise<number> {
  const elf = await ElfFile.open(path);
  let checked = 0;
  try {
    const loads = elf.segments.filter((s) => s.type === 1).map((s) => ({ offset: s.fileOffset, vaddr: s.vaddr, fileSize: s.fileSize, memSize: s.memSize }));
    assert.deepEqual(loads, readelfLoads(path), `${path}: LOAD segments`);
    const sections = readelfSections(path);
    for (const table of ["symtab", "dynsym"] as const) {
      for (const s of await elf.symbols(table)) {
        if (s.type !== "FUNC" || s.shndx === 0 || s.shndx >= 0xff00) continue;
        const sec = sections.get(s.shndx)!;
        // Independent route: section header (addr, offset) instead of the program headers.
        assert.equal(elf.findFileOffset(s.value), s.value - sec.addr + sec.offset, `${path}: ${s.name} in ${sec.name}`);
        checked++;
      }
    }
  } finally {
    await elf.close();
  }
  return checked;
}

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "ftk-elf-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const skipReadelf = hasReadelf ? false : "readelf not installed";
const libc = ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/aarch64-linux-gnu/libc.so.6"].find(existsSync);

test("ElfFile.symbols() matches readelf -sW on /bin/ls (stripped: .dynsym only)", { skip: skipReadelf }, async () => {
  const n = await assertSymbolsMatchReadelf("/bin/ls");
  assert.ok(n > 50, `compared ${n}`);
  await assertOffsetsMatchReadelf("/bin/ls");
});

test("ElfFile.symbols() matches readelf -sW on libc, with versioned names", { skip: skipReadelf || (libc === undefined && "no libc found") }, async () => {
  const n = await assertSymbolsMatchReadelf(libc!);
  assert.ok(n > 1000, `compared ${n}`);
  const elf = await ElfFile.open(libc!);
  try {
    const getenv = (await elf.symbols("dynsym")).find((s) => s.name === "getenv")!;
    assert.match(getenv.versionedName, /^getenv@@GLIBC_2\.\d/);
  } finally {
    await elf.close();
  }
  assert.ok((await assertOffsetsMatchReadelf(libc!)) > 1000);
});

/** Every defined .dynsym name found through .gnu.hash gives the entries a scan of symbols() gives; absent names none. */
async function assertHashLookupMatchesScan(path: string): Promise<number> {
  const elf = await ElfFile.open(path);
  try {
    const all = (await elf.symbols("dynsym")).filter((s) => s.shndx !== 0);
    const names = new Set(all.map((s) => s.name).filter((n) => n !== ""));
    const found = await elf.findDynamicSymbols([...names, "no_such_symbol_ftk", "getenv_", "getenv\u0000x"]);
    assert.ok(found !== undefined, `${path} has a .gnu.hash`);
    for (const name of names) {
      const want = all.filter((s) => s.name === name).map((s) => ({
        value: s.value, shndx: s.shndx, type: s.type, nonDefault: s.version !== "" && !s.versionedName.includes("@@"),
      }));
      assert.deepEqual(found.get(name), want, name);
    }
    assert.equal(found.size, names.size);
    return names.size;
  } finally {
    await elf.close();
  }
}

test("ElfFile.findDynamicSymbols() (the GNU hash table) finds what a scan of .dynsym finds, versions included", { skip: libc === undefined && "no libc found" }, async () => {
  assert.ok((await assertHashLookupMatchesScan(libc!)) > 1000);
  assert.ok((await assertHashLookupMatchesScan("/bin/ls")) > 3);
});

test("ElfFile.findDynamicSymbols() on damaged copies of /bin/ls: an answer or a ProbeError, never a crash (seeded fuzz)", async () => {
  const seed = 10;
  const rnd = mulberry32(seed);
  const good = readFileSync("/bin/ls");
  const elf = await ElfFile.open("/bin/ls");
  // Damage the dynamic-linking sections (hash table, symbols, strings, versions), where the lookup reads.
  const secs = elf.sections.filter((s) => [".gnu.hash", ".dynsym", ".dynstr", ".gnu.version", ".gnu.version_r"].includes(s.name));
  await elf.close();
  assert.ok(secs.length >= 4, secs.map((s) => s.name).join(" "));
  const file = join(dir, "ls-damaged");
  for (let i = 0; i < 150; i++) {
    const b = Buffer.from(good);
    for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++) {
      const s = secs[Math.floor(rnd() * secs.length)]!;
      b[s.fileOffset + Math.floor(rnd() * s.size)] = Math.floor(rnd() * 256);
    }
    writeFileSync(file, b);
    const damaged = await ElfFile.open(file);
    try {
      const found = await damaged.findDynamicSymbols(["malloc", "getenv", "no_such_symbol"]);
      assert.ok(found === undefined || found instanceof Map, `seed ${seed} case ${i}`);
    } catch (e) {
      assert.ok(e instanceof ProbeError, `seed ${seed} case ${i}: ${(e as Error).stack}`);
    } finally {
      await damaged.close();
    }
  }
});

const C_PROGRAM = `
#include <stdio.h>
static int helper(int x) { return x * 3; }
int counter;
int work(int n) { int s = 0; for (int i = 0; i < n; i++) s += helper(i); return s; }
int main(void) { counter = work(4); printf("%d\\n", counter); return 0; }
`;

for (const variant of [["pie", "-fPIE", "-pie"], ["nopie", "-fno-pie", "-no-pie"], ["shared", "-fPIC", "-shared"]] as const) {
  test(`ElfFile matches readelf on a compiled ${variant[0]} program (symbols, sizes, file offsets)`, { skip: skipReadelf || (!hasGcc && "gcc not installed") }, async () => {
    const src = join(dir, "prog.c");
    writeFileSync(src, C_PROGRAM);
    const out = join(dir, `prog-${variant[0]}`);
    execFileSync("gcc", ["-O0", "-fno-inline", variant[1], variant[2], "-o", out, src]);
    assert.ok((await assertSymbolsMatchReadelf(out)) > 10);
    assert.ok((await assertOffsetsMatchReadelf(out)) >= 3);
    const elf = await ElfFile.open(out);
    try {
      assert.equal(elf.type, variant[0] === "nopie" ? 2 : 3);
      const helper = (await elf.symbols("symtab")).find((s) => s.name === "helper")!;
      assert.equal(helper.bind, "LOCAL");
      assert.ok(helper.size > 0);
    } finally {
      await elf.close();
    }
  });
}

test("ElfFile reads ELF32 objects and executables made by gcc -m32 / ld -m elf_i386", { skip: skipReadelf || (!hasGcc && "gcc not installed") }, async (t) => {
  const src = join(dir, "e32.c");
  writeFileSync(src, "int counter;\nint f1(int x) { return x + 1; }\nstatic int f2(int x) { return f1(x) * 2; }\nint entry(void) { return f2(counter); }\n");
  const obj = join(dir, "e32.o");
  const exe = join(dir, "e32");
  try {
    execFileSync("gcc", ["-m32", "-O0", "-fno-pic", "-c", "-o", obj, src], { stdio: "ignore" });
    execFileSync("ld", ["-m", "elf_i386", "-e", "entry", "-o", exe, obj], { stdio: "ignore" });
  } catch {
    t.skip("no 32-bit gcc/ld support");
    return;
  }
  for (const p of [obj, exe]) {
    const elf = await ElfFile.open(p);
    assert.equal(elf.bits, 32);
    await elf.close();
    assert.ok((await assertSymbolsMatchReadelf(p)) >= 3);
  }
  assert.ok((await assertOffsetsMatchReadelf(exe)) >= 3);
});

// ---------------------------------------------------------------------------------------------------------
// A hand-built ELF (no toolchain here makes big-endian files): .text, .dynsym with GNU versions (verdef,
// verneed), .symtab, and one PT_LOAD. Layout fixed below; values chosen so every field width matters.

function buildElf(bits: 32 | 64, le: boolean): Uint8Array {
  const buf = new Uint8Array(4096);
  const v = new DataView(buf.buffer);
  const w = (pos: number, val: number): void => (bits === 64 ? v.setBigUint64(pos, BigInt(val), le) : v.setUint32(pos, val, le));
  const strtab = (names: string[]): { bytes: Uint8Array; off: Map<string, number> } => {
    const off = new Map<string, number>();
    let s = "\0";
    for (const n of names) {
      off.set(n, s.length);
      s += n + "\0";
    }
    return { bytes: Buffer.from(s, "latin1"), off };
  };
  const dynstr = strtab(["foo", "bar", "ext", "libtest.so", "VER_1", "VER_2", "libc.so.6", "GLIBC_2.2.5"]);
  const symstr = strtab(["local_fn", "foo"]);
  const shstr = strtab([".text", ".dynstr", ".dynsym", ".gnu.version", ".gnu.version_d", ".gnu.version_r", ".strtab", ".symtab", ".shstrtab"]);
  const symSize = bits === 64 ? 24 : 16;
  const TEXT_OFF = 0x200, TEXT_ADDR = 0x10200, TEXT_SIZE = 0x40;
  let pos = 0x300;
  const place = (bytes: Uint8Array): number => {
    const at = pos;
    buf.set(bytes, at);
    pos = (pos + bytes.length + 7) & ~7;
    return at;
  };
  const sym = (tab: { name: number; value: number; size: number; info: number; shndx: number }[]): Uint8Array => {
    const b = new Uint8Array(symSize * (tab.length + 1));
    const d = new DataView(b.buffer);
    tab.forEach((s, i) => {
      const p = (i + 1) * symSize;
      d.setUint32(p, s.name, le);
      if (bits === 64) {
        b[p + 4] = s.info; d.setUint16(p + 6, s.shndx, le);
        d.setBigUint64(p + 8, BigInt(s.value), le); d.setBigUint64(p + 16, BigInt(s.size), le);
      } else {
        d.setUint32(p + 4, s.value, le); d.setUint32(p + 8, s.size, le);
        b[p + 12] = s.info; d.setUint16(p + 14, s.shndx, le);
      }
    });
    return b;
  };
  const FUNC_GLOBAL = 0x12, FUNC_LOCAL = 0x02;
  const dynsym = sym([
    { name: dynstr.off.get("foo")!, value: TEXT_ADDR, size: 16, info: FUNC_GLOBAL, shndx: 1 },
    { name: dynstr.off.get("bar")!, value: TEXT_ADDR + 0x10, size: 0x123, info: FUNC_GLOBAL, shndx: 1 },
    { name: dynstr.off.get("ext")!, value: 0, size: 0, info: FUNC_GLOBAL, shndx: 0 },
  ]);
  const symtab = sym([
    { name: symstr.off.get("local_fn")!, value: TEXT_ADDR + 0x30, size: 4, info: FUNC_LOCAL, shndx: 1 },
    { name: symstr.off.get("foo")!, value: TEXT_ADDR, size: 16, info: FUNC_GLOBAL, shndx: 1 },
  ]);
  const u16s = (vals: number[]): Uint8Array => {
    const b = new Uint8Array(vals.length * 2);
    vals.forEach((x, i) => new DataView(b.buffer).setUint16(i * 2, x, le));
    return b;
  };
  const versym = u16s([0, 2, 0x8003, 4]); // foo@@VER_1, bar@VER_2 (hidden), ext@GLIBC_2.2.5
  // Verdef: 3 entries of 20 bytes, each with one 8-byte Verdaux right after it.
  const verdef = new Uint8Array(3 * 28);
  const vd = new DataView(verdef.buffer);
  [["libtest.so", 1, 1], ["VER_1", 2, 0], ["VER_2", 3, 0]].forEach(([name, ndx, flags], i) => {
    const p = i * 28;
    vd.setUint16(p, 1, le); vd.setUint16(p + 2, flags as number, le); vd.setUint16(p + 4, ndx as number, le);
    vd.setUint16(p + 6, 1, le); vd.setUint32(p + 8, 0, le); vd.setUint32(p + 12, 20, le); vd.setUint32(p + 16, i < 2 ? 28 : 0, le);
    vd.setUint32(p + 20, dynstr.off.get(name as string)!, le); vd.setUint32(p + 24, 0, le);
  });
  // Verneed: one file with one Vernaux (index 4).
  const verneed = new Uint8Array(32);
  const vn = new DataView(verneed.buffer);
  vn.setUint16(0, 1, le); vn.setUint16(2, 1, le); vn.setUint32(4, dynstr.off.get("libc.so.6")!, le); vn.setUint32(8, 16, le); vn.setUint32(12, 0, le);
  vn.setUint32(16, 0x09691a75, le); vn.setUint16(20, 0, le); vn.setUint16(22, 4, le); vn.setUint32(24, dynstr.off.get("GLIBC_2.2.5")!, le); vn.setUint32(28, 0, le);

  const secs: { name: string; type: number; flags: number; addr: number; off: number; size: number; link: number; info: number; align: number; ent: number }[] = [];
  const add = (name: string, type: number, bytes: Uint8Array | undefined, extra: Partial<(typeof secs)[0]> = {}): void => {
    const off = bytes === undefined ? 0 : place(bytes);
    secs.push({ name, type, flags: 0, addr: 0, off, size: bytes?.length ?? 0, link: 0, info: 0, align: 8, ent: 0, ...extra });
  };
  secs.push({ name: "", type: 0, flags: 0, addr: 0, off: 0, size: 0, link: 0, info: 0, align: 0, ent: 0 });
  secs.push({ name: ".text", type: 1, flags: 6, addr: TEXT_ADDR, off: TEXT_OFF, size: TEXT_SIZE, link: 0, info: 0, align: 16, ent: 0 });
  add(".dynstr", 3, dynstr.bytes, { align: 1 }); // [2]
  add(".dynsym", 11, dynsym, { link: 2, info: 1, ent: symSize }); // [3]
  add(".gnu.version", 0x6fffffff, versym, { link: 3, ent: 2, align: 2 }); // [4]
  add(".gnu.version_d", 0x6ffffffd, verdef, { link: 2, info: 3 }); // [5]
  add(".gnu.version_r", 0x6ffffffe, verneed, { link: 2, info: 1 }); // [6]
  add(".strtab", 3, symstr.bytes, { align: 1 }); // [7]
  add(".symtab", 2, symtab, { link: 7, info: 2, ent: symSize }); // [8]
  add(".shstrtab", 3, shstr.bytes, { align: 1 }); // [9]
  for (let i = 0; i < TEXT_SIZE; i++) buf[TEXT_OFF + i] = 0x90;

  const ehsize = bits === 64 ? 64 : 52, phentsize = bits === 64 ? 56 : 32, shentsize = bits === 64 ? 64 : 40;
  const phoff = ehsize;
  const shoff = pos;
  buf.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, le ? 1 : 2, 1], 0);
  v.setUint16(16, 3, le); // ET_DYN
  v.setUint16(18, bits === 64 ? 62 : 3, le);
  v.setUint32(20, 1, le);
  w(24, TEXT_ADDR);
  w(bits === 64 ? 32 : 28, phoff);
  w(bits === 64 ? 40 : 32, shoff);
  const o = bits === 64 ? 52 : 40;
  v.setUint16(o, ehsize, le); v.setUint16(o + 2, phentsize, le); v.setUint16(o + 4, 1, le);
  v.setUint16(o + 6, shentsize, le); v.setUint16(o + 8, secs.length, le); v.setUint16(o + 10, 9, le);
  // PT_LOAD R+X: file 0 .. end of .text at vaddr 0x10000.
  const ph = phoff;
  v.setUint32(ph, 1, le);
  if (bits === 64) {
    v.setUint32(ph + 4, 5, le); w(ph + 8, 0); w(ph + 16, 0x10000); w(ph + 24, 0x10000); w(ph + 32, TEXT_OFF + TEXT_SIZE); w(ph + 40, TEXT_OFF + TEXT_SIZE); w(ph + 48, 0x1000);
  } else {
    w(ph + 4, 0); w(ph + 8, 0x10000); w(ph + 12, 0x10000); w(ph + 16, TEXT_OFF + TEXT_SIZE); w(ph + 20, TEXT_OFF + TEXT_SIZE); v.setUint32(ph + 24, 5, le); w(ph + 28, 0x1000);
  }
  secs.forEach((s, i) => {
    const p = shoff + i * shentsize;
    v.setUint32(p, s.name === "" ? 0 : shstr.off.get(s.name)!, le);
    v.setUint32(p + 4, s.type, le);
    if (bits === 64) {
      w(p + 8, s.flags); w(p + 16, s.addr); w(p + 24, s.off); w(p + 32, s.size);
      v.setUint32(p + 40, s.link, le); v.setUint32(p + 44, s.info, le); w(p + 48, s.align); w(p + 56, s.ent);
    } else {
      w(p + 8, s.flags); w(p + 12, s.addr); w(p + 16, s.off); w(p + 20, s.size);
      v.setUint32(p + 24, s.link, le); v.setUint32(p + 28, s.info, le); w(p + 32, s.align); w(p + 36, s.ent);
    }
  });
  return buf.slice(0, shoff + secs.length * shentsize);
}

for (const [bits, le] of [[32, false], [64, false], [32, true], [64, true]] as const) {
  test(`ElfFile reads a hand-built ELF${bits} ${le ? "little" : "big"}-endian file (versions, sizes, offsets)`, async () => {
    const path = join(dir, `hand-${bits}-${le ? "le" : "be"}.so`);
    writeFileSync(path, buildElf(bits, le));
    const elf = await ElfFile.open(path);
    try {
      assert.equal(elf.bits, bits);
      assert.equal(elf.littleEndian, le);
      const dyn = (await elf.symbols("dynsym")).map((s) => [s.versionedName, s.value, s.size, s.type, s.bind, s.shndx]);
      assert.deepEqual(dyn, [
        ["foo@@VER_1", 0x10200, 16, "FUNC", "GLOBAL", 1],
        ["bar@VER_2", 0x10210, 0x123, "FUNC", "GLOBAL", 1],
        ["ext@GLIBC_2.2.5", 0, 0, "FUNC", "GLOBAL", 0],
      ]);
      const st = (await elf.symbols("symtab")).map((s) => [s.name, s.value, s.size, s.bind]);
      assert.deepEqual(st, [["local_fn", 0x10230, 4, "LOCAL"], ["foo", 0x10200, 16, "GLOBAL"]]);
      assert.equal(elf.findFileOffset(0x10210), 0x210);
      assert.equal(elf.findFileOffset(0x20000), undefined);
    } finally {
      await elf.close();
    }
    if (hasReadelf) {
      // The oracle agrees on values, sizes, types and binds (version display needs a .dynamic, which we omit).
      const oracle = readelfSymbols(path);
      assert.deepEqual(oracle.get(".dynsym")!.slice(1).map((s) => [s.value, s.size, s.type, s.bind]), [
        [0x10200, 16, "FUNC", "GLOBAL"], [0x10210, 0x123, "FUNC", "GLOBAL"], [0, 0, "FUNC", "GLOBAL"],
      ]);
      assert.deepEqual(readelfLoads(path), [{ offset: 0, vaddr: 0x10000, fileSize: 0x240, memSize: 0x240 }]);
    }
  });
}

test("ElfFile.open() rejects missing, non-ELF and truncated files with one-line ProbeErrors", async () => {
  const text = join(dir, "not-elf.txt");
  writeFileSync(text, "hello world, this is not an ELF file\n");
  const truncated = join(dir, "truncated.so");
  writeFileSync(truncated, buildElf(64, true).slice(0, 0x250));
  const cases: [string, RegExp][] = [
    [join(dir, "missing"), /^cannot open '.*missing': no such file or directory$/],
    [text, /^cannot read '.*not-elf\.txt': not an ELF file$/],
    [truncated, /^cannot read '.*truncated\.so': section headers at offset 0x[0-9a-f]+ is beyond the end of the file$/],
    [dir, /^cannot read '.*': not a regular file$/],
  ];
  for (const [p, re] of cases) {
    await assert.rejects(ElfFile.open(p), (e: unknown) => e instanceof ProbeError && re.test(e.message), p);
  }
});
