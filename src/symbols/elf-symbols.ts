// Function symbols of one ELF file for address lookups: .symtab, else the .symtab of its detached debug
// file (/usr/lib/debug/.build-id/xx/yyyy.debug, as Debian's -dbg packages install them), else .dynsym
// (a stripped binary); read once through probes/elf and kept sorted by address.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { ElfFile } from "../probes/index.js";
import type { ElfSymbol } from "../probes/index.js";

const PT_LOAD = 1;
const ET_EXEC = 2;

/** Address -> function name for one file, in file virtual addresses. */
export class ElfSymbols {
  private constructor(
    /** Subtract from (address - mapping start) ... see vaddrOf(). */
    private readonly isExec: boolean,
    private readonly loadBias: number,
    private readonly starts: Float64Array,
    private readonly sizes: Float64Array,
    private readonly names: string[],
  ) {}

  /** Reads the symbols of `path`; throws when the file is missing or not ELF. */
  static async load(path: string): Promise<ElfSymbols> {
    const elf = await ElfFile.open(path);
    try {
      let syms = functions(await elf.symbols("symtab"));
      if (syms.length === 0) syms = await debugFileFunctions(elf);
      if (syms.length === 0) syms = functions(await elf.symbols("dynsym"));
      syms.sort((a, b) => a.value - b.value || b.size - a.size);
      const first = elf.segments.find((s) => s.type === PT_LOAD);
      // A shared object or PIE is mapped so that file offset 0 lands at the mapping start.
      const bias = first === undefined ? 0 : first.vaddr - first.fileOffset;
      return new ElfSymbols(
        elf.type === ET_EXEC,
        bias,
        Float64Array.from(syms, (s) => s.value),
        Float64Array.from(syms, (s) => s.size),
        syms.map((s) => s.name),
      );
    } finally {
      await elf.close();
    }
  }

  /** Number of function symbols. */
  get size(): number {
    return this.names.length;
  }

  /** The file virtual address of `addr` in a mapping of this file that starts at `mapStart`. */
  vaddrOf(addr: number, mapStart: number): number {
    return this.isExec ? addr : addr - mapStart + this.loadBias;
  }

  /** The function containing file address `vaddr`, or undefined (past a symbol's size, or before all). */
  findName(vaddr: number): string | undefined {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= vaddr) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    if (i < 0) return undefined;
    const size = this.sizes[i]!;
    if (size > 0 ? vaddr < this.starts[i]! + size : vaddr === this.starts[i]) return this.names[i];
    return undefined;
  }
}

/** "libc.so.6+0x1a2b": the fallback name for an address in a file without a matching symbol. */
export function moduleOffsetName(path: string, offset: number): string {
  return `${basename(path)}+0x${offset.toString(16)}`;
}

function functions(symbols: readonly ElfSymbol[]): ElfSymbol[] {
  return symbols.filter((s) => (s.type === "FUNC" || s.type === "IFUNC") && s.value !== 0 && s.shndx !== 0);
}

/** The build id from .note.gnu.build-id (note: namesz, descsz, type, "GNU\0", id bytes), as hex. */
async function buildId(elf: ElfFile): Promise<string | undefined> {
  const sec = elf.findSection(".note.gnu.build-id");
  if (sec === undefined) return undefined;
  const b = await elf.readSection(sec);
  if (b.length < 16) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const nameSize = v.getUint32(0, elf.littleEndian);
  const descSize = v.getUint32(4, elf.littleEndian);
  const at = 12 + ((nameSize + 3) & ~3);
  if (descSize < 2 || at + descSize > b.length) return undefined;
  return Buffer.from(b.buffer, b.byteOffset + at, descSize).toString("hex");
}

async function debugFileFunctions(elf: ElfFile): Promise<ElfSymbol[]> {
  const id = await buildId(elf);
  if (id === undefined) return [];
  const path = `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;
  if (!existsSync(path)) return [];
  try {
    const dbg = await ElfFile.open(path);
    try {
      return functions(await dbg.symbols("symtab"));
    } finally {
      await dbg.close();
    }
  } catch {
    return [];
  }
}
