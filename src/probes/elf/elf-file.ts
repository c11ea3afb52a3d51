// ELF32/ELF64 reader of either byte order: file header, section and program headers, .symtab/.dynsym
// with GNU symbol versions (.gnu.version, .gnu.version_d, .gnu.version_r), and the virtual address to
// file offset mapping a uprobe needs (tracefs-control.md §3.4: "OFFSET ... is the file offset").
// Reads only the headers and the sections it is asked for, through one descriptor (libc stays on disk),
// synchronously: a dozen small positioned reads of a cached file cost less than their trips through the
// thread pool (~0.5 ms each on a loaded machine).
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { ProbeError, describeErrno } from "../../base/index.js";

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const SHT_GNU_HASH = 0x6ffffff6;
const SHT_GNU_VERDEF = 0x6ffffffd;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const PT_LOAD = 1;
const SHN_UNDEF = 0;
const SHN_XINDEX = 0xffff;
const VERSYM_HIDDEN = 0x8000;

/** Symbol types by their st_info low nibble, as readelf prints them. */
const SYMBOL_TYPES = ["NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE", "COMMON", "TLS"] as const;
const SYMBOL_BINDS = ["LOCAL", "GLOBAL", "WEAK"] as const;

/** One section header. */
export interface ElfSection {
  index: number; name: string; type: number; flags: number;
  addr: number; fileOffset: number; size: number; link: number; info: number; entrySize: number;
}

/** A .dynsym entry found by name through .gnu.hash (findDynamicSymbols). */
export interface ElfDynamicSymbol {
  value: number;
  shndx: number;
  type: string;
  /** Its version is not the default one (`name@VER`, hidden or needed), as readelf would show it. */
  nonDefault: boolean;
}

/** One program header. */
export interface ElfSegment {
  type: number; flags: number; fileOffset: number; vaddr: number; fileSize: number; memSize: number; align: number;
}

/** One symbol of .symtab or .dynsym. */
export interface ElfSymbol {
  /** The plain name, without version. */
  name: string;
  /** The name as readelf shows it: `getenv@@GLIBC_2.2.5` (default), `name@VER` (hidden or undefined). */
  versionedName: string;
  /** The version name, or "" when the symbol has none. */
  version: string;
  value: number; size: number;
  type: string; bind: string;
  /** Section index (0 = undefined). */
  shndx: number;
  table: "symtab" | "dynsym";
}

function u64(view: DataView, pos: number, le: boolean): number {
  const lo = view.getUint32(pos + (le ? 0 : 4), le);
  const hi = view.getUint32(pos + (le ? 4 : 0), le);
  // Addresses above 2^53 do not occur in user-space ELF files; keep the arithmetic exact below that.
  return hi * 2 ** 32 + lo;
}

function symbolType(t: number): string {
  return SYMBOL_TYPES[t] ?? (t === 10 ? "IFUNC" : `<${t}>`);
}

function symbolBind(b: number): string {
  return SYMBOL_BINDS[b] ?? (b === 10 ? "UNIQUE" : `<${b}>`);
}

function cString(buf: Buffer, pos: number): string {
  if (pos < 0 || pos >= buf.length) return "";
  const end = buf.indexOf(0, pos);
  return buf.toString("latin1", pos, end < 0 ? buf.length : end);
}

/** Fills `buf` from file offset `pos` (fewer bytes only at the end of the file); the bytes read. */
function readFully(fd: number, buf: Uint8Array, pos: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, pos + got);
    if (n <= 0) break;
    got += n;
  }
  return got;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A symbol's version: its name, hidden (not the default), needed (defined by another file). */
interface SymbolVersion {
  name: string;
  hidden: boolean;
  needed: boolean;
}

/** .gnu.version (one u16 per dynsym entry) and the version names by index. */
interface VersionTable {
  names: Map<number, string>;
  needed: Set<number>;
  versym: DataView;
}

/** The version of dynsym entry `i`; undefined for none (index 0 local, 1 global) or an unknown index. */
function versionAt(t: VersionTable, i: number, le: boolean): SymbolVersion | undefined {
  if (i * 2 + 2 > t.versym.byteLength) return undefined;
  const raw = t.versym.getUint16(i * 2, le);
  const idx = raw & 0x7fff;
  const name = idx < 2 ? undefined : t.names.get(idx);
  return name === undefined ? undefined : { name, hidden: (raw & VERSYM_HIDDEN) !== 0, needed: t.needed.has(idx) };
}

/** readelf's rules: `@@` only for a default version this file defines; `@` for hidden or needed ones. */
function versionSuffix(ver: SymbolVersion, shndx: number): "@" | "@@" {
  return ver.hidden || ver.needed || shndx === SHN_UNDEF ? "@" : "@@";
}

/**
 * An open ELF file. Headers are parsed by `ElfFile.open()`; symbol tables are read on first use.
 * @example
 * const elf = await ElfFile.open("/bin/ls");
 * try { const s = (await elf.symbols()).find((x) => x.name === "main"); } finally { await elf.close(); }
 */
export class ElfFile {
  readonly path: string;
  /** 32 or 64. */
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  /** e_type: 1 REL, 2 EXEC, 3 DYN (PIE or shared library), 4 CORE. */
  readonly type: number;
  /** e_machine: 3 i386, 62 x86_64, 183 aarch64, ... */
  readonly machine: number;
  readonly entry: number;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  readonly #fd: number;
  readonly #fileSize: number;
  #symbolCache = new Map<string, ElfSymbol[]>();
  #loads: ElfSegment[] | undefined;

  private constructor(path: string, fd: number, fileSize: number, hdr: {
    bits: 32 | 64; le: boolean; type: number; machine: number; entry: number; sections: ElfSection[]; segments: ElfSegment[];
  }) {
    this.path = path;
    this.#fd = fd;
    this.#fileSize = fileSize;
    this.bits = hdr.bits;
    this.littleEndian = hdr.le;
    this.type = hdr.type;
    this.machine = hdr.machine;
    this.entry = hdr.entry;
    this.sections = hdr.sections;
    this.segments = hdr.segments;
  }

  /** Opens and parses the headers; throws ProbeError for a missing, unreadable or non-ELF file. */
  static async open(path: string): Promise<ElfFile> {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (e) {
      throw new ProbeError(`cannot open '${path}': ${describeErrno(e)}`, { code: "ENOENT", path, cause: e });
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new ProbeError(`cannot read '${path}': not a regular file`, { code: "not-elf", path });
      const elf = ElfFile.#parse(path, fd, st.size);
      return elf;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  static #parse(path: string, fd: number, fileSize: number): ElfFile {
    const bad = (what: string): ProbeError =>
      new ProbeError(`cannot read '${path}': ${what}`, { code: "not-elf", path });
    const ident = new Uint8Array(64);
    const bytesRead = readFully(fd, ident, 0);
    if (bytesRead < 16 || ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46) {
      throw bad("not an ELF file");
    }
    const cls = ident[4];
    const data = ident[5];
    if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) throw bad(`unsupported ELF class ${cls} / data ${data}`);
    const bits: 32 | 64 = cls === 1 ? 32 : 64;
    const le = data === 1;
    const hdrSize = bits === 64 ? 64 : 52;
    if (bytesRead < hdrSize) throw bad("truncated ELF header");
    const v = new DataView(ident.buffer, ident.byteOffset, ident.byteLength);
    const word = (pos: number): number => (bits === 64 ? u64(v, pos, le) : v.getUint32(pos, le));
    const type = v.getUint16(16, le);
    const machine = v.getUint16(18, le);
    const entry = word(24);
    const phoff = word(bits === 64 ? 32 : 28);
    const shoff = word(bits === 64 ? 40 : 32);
    const o = bits === 64 ? 54 : 42; // e_phentsize
    const phentsize = v.getUint16(o, le);
    let phnum = v.getUint16(o + 2, le);
    const shentsize = v.getUint16(o + 4, le);
    let shnum = v.getUint16(o + 6, le);
    let shstrndx = v.getUint16(o + 8, le);

    const readAt = (pos: number, len: number, what: string): Uint8Array => {
      if (pos + len > fileSize || pos < 0) throw bad(`${what} at offset 0x${pos.toString(16)} is beyond the end of the file`);
      const buf = new Uint8Array(len);
      if (len > 0) readFully(fd, buf, pos);
      return buf;
    };

    const sections: ElfSection[] = [];
    if (shoff !== 0) {
      if (shentsize < (bits === 64 ? 64 : 40)) throw bad(`bad section header size ${shentsize}`);
      // Extended numbering: the real counts live in section header 0 (e_shnum 0 / e_shstrndx SHN_XINDEX).
      if (shnum === 0 || shstrndx === SHN_XINDEX) {
        const first = readAt(shoff, shentsize, "section header 0");
        const fv = new DataView(first.buffer);
        if (shnum === 0) shnum = bits === 64 ? u64(fv, 32, le) : fv.getUint32(20, le);
        if (shstrndx === SHN_XINDEX) shstrndx = fv.getUint32(bits === 64 ? 40 : 24, le);
      }
      const raw = readAt(shoff, shnum * shentsize, "section headers");
      const sv = new DataView(raw.buffer);
      for (let i = 0; i < shnum; i++) {
        const p = i * shentsize;
        const w = (off64: number, off32: number): number => (bits === 64 ? u64(sv, p + off64, le) : sv.getUint32(p + off32, le));
        sections.push({
          index: i, name: "", type: sv.getUint32(p + 4, le), flags: w(8, 8), addr: w(16, 12), fileOffset: w(24, 16),
          size: w(32, 20), link: sv.getUint32(p + (bits === 64 ? 40 : 24), le), info: sv.getUint32(p + (bits === 64 ? 44 : 28), le),
          entrySize: w(56, 36),
        });
      }
      const strSec = sections[shstrndx];
      if (strSec !== undefined && strSec.type !== 8 /* NOBITS */) {
        const names = asBuffer(readAt(strSec.fileOffset, strSec.size, "section name table"));
        const nameOffsets = sv;
        for (const s of sections) s.name = cString(names, nameOffsets.getUint32(s.index * shentsize, le));
      }
    }

    const segments: ElfSegment[] = [];
    if (phoff !== 0) {
      if (phnum === 0xffff && sections[0] !== undefined) phnum = sections[0].info;
      if (phentsize < (bits === 64 ? 56 : 32)) throw bad(`bad program header size ${phentsize}`);
      const raw = readAt(phoff, phnum * phentsize, "program headers");
      const pv = new DataView(raw.buffer);
      for (let i = 0; i < phnum; i++) {
        const p = i * phentsize;
        if (bits === 64) {
          segments.push({
            type: pv.getUint32(p, le), flags: pv.getUint32(p + 4, le), fileOffset: u64(pv, p + 8, le), vaddr: u64(pv, p + 16, le),
            fileSize: u64(pv, p + 32, le), memSize: u64(pv, p + 40, le), align: u64(pv, p + 48, le),
          });
        } else {
          segments.push({
            type: pv.getUint32(p, le), fileOffset: pv.getUint32(p + 4, le), vaddr: pv.getUint32(p + 8, le),
            fileSize: pv.getUint32(p + 16, le), memSize: pv.getUint32(p + 20, le), flags: pv.getUint32(p + 24, le),
            align: pv.getUint32(p + 28, le),
          });
        }
      }
    }
    return new ElfFile(path, fd, fileSize, { bits, le, type, machine, entry, sections, segments });
  }

  /** Closes the file handle. */
  async close(): Promise<void> {
    closeSync(this.#fd);
  }

  /** Reads the bytes of a section (empty for NOBITS); throws ProbeError when it lies outside the file. */
  async readSection(section: ElfSection): Promise<Uint8Array> {
    if (section.type === 8 /* SHT_NOBITS */) return new Uint8Array(0);
    if (section.fileOffset + section.size > this.#fileSize) {
      throw new ProbeError(`cannot read '${this.path}': section '${section.name}' extends beyond the end of the file`, {
        code: "not-elf", path: this.path, fileOffset: section.fileOffset,
      });
    }
    const buf = new Uint8Array(section.size);
    if (section.size > 0) readFully(this.#fd, buf, section.fileOffset);
    return buf;
  }

  /** The section called `name`, or undefined. */
  findSection(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** True when the file has a .symtab (not stripped). */
  hasSymtab(): boolean {
    return this.sections.some((s) => s.type === SHT_SYMTAB);
  }

  /**
   * Symbols of one table ("symtab" or "dynsym"), in table order without the null entry 0; [] when absent.
   * Cached: later calls return the same array.
   */
  async symbols(table: "symtab" | "dynsym"): Promise<ElfSymbol[]> {
    const cached = this.#symbolCache.get(table);
    if (cached !== undefined) return cached;
    const sec = this.sections.find((s) => s.type === (table === "symtab" ? SHT_SYMTAB : SHT_DYNSYM));
    const result: ElfSymbol[] = [];
    if (sec !== undefined) {
      const le = this.littleEndian;
      const data = await this.readSection(sec);
      const strSec = this.sections[sec.link];
      const strs = asBuffer(strSec === undefined ? new Uint8Array(0) : await this.readSection(strSec));
      const versions = table === "dynsym" ? await this.#versionNames(sec) : undefined;
      const entSize = sec.entrySize || (this.bits === 64 ? 24 : 16);
      const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const count = Math.floor(data.length / entSize);
      for (let i = 1; i < count; i++) {
        const p = i * entSize;
        let nameOff: number, value: number, size: number, info: number, shndx: number;
        if (this.bits === 64) {
          nameOff = v.getUint32(p, le); info = data[p + 4]!; shndx = v.getUint16(p + 6, le);
          value = u64(v, p + 8, le); size = u64(v, p + 16, le);
        } else {
          nameOff = v.getUint32(p, le); value = v.getUint32(p + 4, le); size = v.getUint32(p + 8, le);
          info = data[p + 12]!; shndx = v.getUint16(p + 14, le);
        }
        const name = cString(strs, nameOff);
        let version = "";
        let versionedName = name;
        const ver = versions?.get(i);
        // No suffix on the symbol that names its own version (GLIBC_2.10 in libc), else versionSuffix().
        if (ver !== undefined && ver.name !== name) {
          version = ver.name;
          versionedName = `${name}${versionSuffix(ver, shndx)}${ver.name}`;
        }
        result.push({
          name, versionedName, version, value, size, shndx, table,
          type: symbolType(info & 0xf), bind: symbolBind(info >> 4),
        });
      }
    }
    this.#symbolCache.set(table, result);
    return result;
  }

  /**
   * The .dynsym entries named `names`, looked up through the GNU hash table: only the few names are
   * compared, not every symbol decoded (a libc has ~3000). Undefined when the file has no .gnu.hash (or
   * it is damaged); the caller then reads the whole table with symbols().
   */
  async findDynamicSymbols(names: Iterable<string>): Promise<Map<string, ElfDynamicSymbol[]> | undefined> {
    const hashSec = this.sections.find((s) => s.type === SHT_GNU_HASH);
    const dynsym = hashSec === undefined ? undefined : this.sections[hashSec.link];
    const strSec = dynsym === undefined ? undefined : this.sections[dynsym.link];
    if (hashSec === undefined || dynsym?.type !== SHT_DYNSYM || strSec === undefined) return undefined;
    const le = this.littleEndian;
    const wide = this.bits === 64;
    const hash = await this.readSection(hashSec);
    const hv = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
    if (hash.length < 16) return undefined;
    const nbuckets = hv.getUint32(0, le);
    const symoffset = hv.getUint32(4, le);
    const bucketsAt = 16 + hv.getUint32(8, le) * (wide ? 8 : 4);
    const chainAt = bucketsAt + nbuckets * 4;
    if (nbuckets === 0 || chainAt > hash.length) return undefined;
    const syms = await this.readSection(dynsym);
    const sv = new DataView(syms.buffer, syms.byteOffset, syms.byteLength);
    const strs = asBuffer(await this.readSection(strSec));
    const entSize = dynsym.entrySize || (wide ? 24 : 16);
    if (entSize < (wide ? 24 : 16)) return undefined;
    const count = Math.floor(syms.length / entSize);
    const versions = await this.#versionTable();
    const out = new Map<string, ElfDynamicSymbol[]>();
    for (const name of names) {
      const key = Buffer.from(name, "latin1");
      let h = 5381;
      for (const c of key) h = (Math.imul(h, 33) + c) >>> 0;
      const found: ElfDynamicSymbol[] = [];
      // The chain of the name's bucket: symbols in table order, bit 0 set on the last one.
      for (let i = hv.getUint32(bucketsAt + (h % nbuckets) * 4, le); i >= symoffset && i < count; i++) {
        const at = chainAt + (i - symoffset) * 4;
        if (at + 4 > hash.length) return undefined;
        const ch = hv.getUint32(at, le);
        const p = i * entSize;
        const nameOff = sv.getUint32(p, le);
        if ((ch | 1) === (h | 1) && strs[nameOff + key.length] === 0 && strs.compare(key, 0, key.length, nameOff, nameOff + key.length) === 0) {
          const info = syms[p + (wide ? 4 : 12)]!;
          const shndx = sv.getUint16(p + (wide ? 6 : 14), le);
          const ver = versions === undefined ? undefined : versionAt(versions, i, le);
          found.push({
            value: wide ? u64(sv, p + 8, le) : sv.getUint32(p + 4, le), shndx, type: symbolType(info & 0xf),
            nonDefault: ver !== undefined && ver.name !== name && versionSuffix(ver, shndx) === "@",
          });
        }
        if ((ch & 1) !== 0) break;
      }
      if (found.length > 0) out.set(name, found);
    }
    return out;
  }

  /** Version names per dynsym index (only indices >= 2 get one), for the first `count` entries. */
  async #versionNames(dynsym: ElfSection): Promise<Map<number, SymbolVersion> | undefined> {
    const table = await this.#versionTable();
    if (table === undefined) return undefined;
    const out = new Map<number, SymbolVersion>();
    const count = Math.min(table.versym.byteLength >> 1, dynsym.entrySize ? Math.floor(dynsym.size / dynsym.entrySize) : Infinity);
    for (let i = 1; i < count; i++) {
      const ver = versionAt(table, i, this.littleEndian);
      if (ver !== undefined) out.set(i, ver);
    }
    return out;
  }

  /** .gnu.version and the version names of .gnu.version_d/_r by index (read once); undefined without .gnu.version. */
  async #versionTable(): Promise<VersionTable | undefined> {
    const versym = this.sections.find((s) => s.type === SHT_GNU_VERSYM);
    if (versym === undefined) return undefined;
    const le = this.littleEndian;
    const names = new Map<number, string>();
    const needed = new Set<number>();
    for (const sec of this.sections) {
      if (sec.type !== SHT_GNU_VERDEF && sec.type !== SHT_GNU_VERNEED) continue;
      const data = await this.readSection(sec);
      const strSec = this.sections[sec.link];
      const strs = asBuffer(strSec === undefined ? new Uint8Array(0) : await this.readSection(strSec));
      const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
      let pos = 0;
      // sh_info is the number of entries; guard against loops on damaged files.
      for (let n = 0; n < sec.info && pos + 16 <= data.length; n++) {
        if (sec.type === SHT_GNU_VERDEF) {
          // Elf_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32
          const ndx = v.getUint16(pos + 4, le);
          const aux = v.getUint32(pos + 12, le);
          const next = v.getUint32(pos + 16, le);
          if (pos + aux + 8 <= data.length) names.set(ndx, cString(strs, v.getUint32(pos + aux, le)));
          if (next === 0) break;
          pos += next;
        } else {
          // Elf_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32;
          // Elf_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
          const cnt = v.getUint16(pos + 2, le);
          let apos = pos + v.getUint32(pos + 8, le);
          for (let k = 0; k < cnt && apos + 16 <= data.length; k++) {
            const ndx = v.getUint16(apos + 6, le);
            names.set(ndx, cString(strs, v.getUint32(apos + 8, le)));
            needed.add(ndx);
            const anext = v.getUint32(apos + 12, le);
            if (anext === 0) break;
            apos += anext;
          }
          const next = v.getUint32(pos + 12, le);
          if (next === 0) break;
          pos += next;
        }
      }
    }
    const data = await this.readSection(versym);
    return { names, needed, versym: new DataView(data.buffer, data.byteOffset, data.byteLength) };
  }

  /**
   * The file offset of virtual address `vaddr` (through the PT_LOAD segment holding it), or undefined when no
   * loaded segment maps it. Relocatable objects (no program headers) use the section of `shndx`.
   */
  findFileOffset(vaddr: number, shndx?: number): number | undefined {
    const loads = (this.#loads ??= this.segments.filter((s) => s.type === PT_LOAD));
    if (loads.length === 0 && shndx !== undefined) {
      const sec = this.sections[shndx];
      return sec === undefined || sec.type === 8 ? undefined : sec.fileOffset + vaddr;
    }
    for (const seg of loads) {
      if (vaddr >= seg.vaddr && vaddr < seg.vaddr + seg.fileSize) return vaddr - seg.vaddr + seg.fileOffset;
    }
    return undefined;
  }
}
