// The probe-able functions of an ELF file: defined FUNC symbols of .symtab and .dynsym with a file offset,
// one per address (aliases collapse to the best name), plus glob matching and near-match suggestions.
import { ProbeError } from "../base/index.js";
import { ElfFile } from "./elf/index.js";
import type { ElfSymbol } from "./elf/index.js";

/** A function a uprobe can be placed on. */
export interface ProbeableFunction {
  name: string;
  /** Name with version as readelf shows it (`getenv@@GLIBC_2.2.5`), or the plain name. */
  versionedName: string;
  /** Other names at the same address (aliases such as `__libc_malloc` for `malloc`). */
  aliases: string[];
  vaddr: number;
  size: number;
  fileOffset: number;
}

/** A binary's functions, with its machine (for the ABI registers). */
export interface BinaryFunctions {
  path: string;
  machine: number;
  functions: ProbeableFunction[];
  /** Indirect functions (IFUNC): their symbol is the resolver, so they are not probe-able by that name. */
  ifuncs: string[];
}

// C run-time start-up and tear-down code: present in every program, never user code. A wildcard does
// not select them; naming one exactly still does.
const CRT_FUNCTIONS = new Set([
  "_start", "_init", "_fini", "deregister_tm_clones", "register_tm_clones", "__do_global_dtors_aux",
  "frame_dummy", "__libc_csu_init", "__libc_csu_fini", "_dl_relocate_static_pie",
]);

function nameRank(s: ElfSymbol): number {
  // Prefer the public spelling: fewer leading underscores (malloc over __libc_malloc), then global over
  // weak over local, then a default version.
  const bind = s.bind === "GLOBAL" ? 0 : s.bind === "WEAK" ? 1 : 2;
  const under = /^_*/.exec(s.name)![0].length;
  return under * 100 + bind * 10 + (s.versionedName.includes("@@") || s.version === "" ? 0 : 1);
}

/** Reads the probe-able functions of `path` (sorted by address). Throws ProbeError for missing/non-ELF files. */
export async function readFunctions(path: string): Promise<BinaryFunctions> {
  const elf = await ElfFile.open(path);
  try {
    if (elf.type !== 2 && elf.type !== 3) {
      throw new ProbeError(`cannot probe '${path}': not an executable or shared library (ELF type ${elf.type})`, { code: "not-elf", path });
    }
    const byAddr = new Map<number, ElfSymbol[]>();
    const ifuncs = new Set<string>();
    for (const table of ["symtab", "dynsym"] as const) {
      for (const s of await elf.symbols(table)) {
        if (s.type === "IFUNC" && s.shndx !== 0) ifuncs.add(s.name);
        if (s.type !== "FUNC" || s.shndx === 0 || s.value === 0 || s.name === "") continue;
        const list = byAddr.get(s.value);
        if (list === undefined) byAddr.set(s.value, [s]);
        else if (!list.some((o) => o.name === s.name)) list.push(s);
        else if (s.table === "dynsym") {
          // Same name in both tables: the dynsym entry carries the version.
          const i = list.findIndex((o) => o.name === s.name);
          list[i] = s;
        }
      }
    }
    const functions: ProbeableFunction[] = [];
    for (const [vaddr, syms] of byAddr) {
      const fileOffset = elf.findFileOffset(vaddr);
      if (fileOffset === undefined) continue;
      let size = syms[0]!.size;
      if (syms.length > 1) {
        syms.sort((a, b) => nameRank(a) - nameRank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const s of syms) if (s.size > size) size = s.size;
      }
      const best = syms[0]!;
      functions.push({
        name: best.name, versionedName: best.versionedName, aliases: syms.length > 1 ? syms.slice(1).map((s) => s.name) : [],
        vaddr, size, fileOffset,
      });
    }
    functions.sort((a, b) => a.vaddr - b.vaddr);
    return { path, machine: elf.machine, functions, ifuncs: [...ifuncs] };
  } finally {
    await elf.close();
  }
}

/**
 * The file offsets of the functions called `names` in the ELF file at `path` (defined FUNC symbols of
 * .symtab and .dynsym; a name defined in several versions takes its default one, the one programs link
 * to). Only these names are looked at: for a few functions of libc, readFunctions' whole table costs ~40 ms more.
 */
export async function findFunctionOffsets(path: string, names: ReadonlySet<string>): Promise<{ path: string; machine: number; offsets: Map<string, number> }> {
  const elf = await ElfFile.open(path);
  try {
    const offsets = new Map<string, number>();
    const isDefault = new Set<string>();
    const offer = (name: string, s: { type: string; shndx: number; value: number }, byDefault: boolean): void => {
      if (s.type !== "FUNC" || s.shndx === 0 || s.value === 0 || isDefault.has(name)) return;
      const fileOffset = elf.findFileOffset(s.value);
      if (fileOffset === undefined) return;
      if (byDefault) isDefault.add(name);
      if (byDefault || !offsets.has(name)) offsets.set(name, fileOffset);
    };
    // A stripped library (.dynsym only, as distributions ship libc): the hash table finds the names.
    const found = elf.hasSymtab() ? undefined : await elf.findDynamicSymbols(names);
    if (found !== undefined) {
      for (const [name, list] of found) for (const s of list) offer(name, s, !s.nonDefault);
    } else {
      for (const table of ["symtab", "dynsym"] as const) {
        for (const s of await elf.symbols(table)) {
          if (names.has(s.name)) offer(s.name, s, s.version === "" || s.versionedName.includes("@@"));
        }
      }
    }
    return { path, machine: elf.machine, offsets };
  } finally {
    await elf.close();
  }
}

/** Compiles a shell-style glob (`*`, `?`, `[...]`) to an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** True when `glob` has wildcard characters. */
function isGlob(glob: string): boolean {
  return /[*?[]/.test(glob);
}

/**
 * Functions whose name (or alias, or versioned name) matches any of the globs; a `!GLOB` removes matches.
 * Wildcards skip the C run-time start-up functions; exact names always match.
 */
export function matchFunctions(functions: readonly ProbeableFunction[], globs: readonly string[]): ProbeableFunction[] {
  const include = globs.filter((g) => !g.startsWith("!")).map((g) => ({ re: globToRegExp(g), wild: isGlob(g) }));
  const exclude = globs.filter((g) => g.startsWith("!")).map((g) => globToRegExp(g.slice(1)));
  if (include.length === 0) include.push({ re: /^.*$/, wild: true });
  return functions.filter((f) => {
    const names = [f.name, f.versionedName, ...f.aliases];
    const hit = include.some(({ re, wild }) => names.some((n) => re.test(n) && !(wild && CRT_FUNCTIONS.has(n))));
    return hit && !exclude.some((re) => names.some((n) => re.test(n)));
  });
}

/** Levenshtein distance, bounded: returns `max + 1` as soon as the distance must exceed `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length]!;
}

/** Up to `count` names close to `name` (by edit distance, then containing it), best first. */
export function nearMatches(name: string, candidates: Iterable<string>, count = 3): string[] {
  const max = Math.max(2, Math.floor(name.length / 3));
  const scored: { n: string; d: number }[] = [];
  const seen = new Set<string>();
  for (const n of candidates) {
    if (seen.has(n)) continue;
    seen.add(n);
    let d = editDistance(name, n, max);
    if (d > max && name.length >= 3 && n.includes(name)) d = max + (n.length - name.length) / 1000 + 0.5;
    if (d <= max + 0.999) scored.push({ n, d });
  }
  scored.sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.slice(0, count).map((s) => s.n);
}

/** The function called `name` (plain, versioned or alias); ProbeError with near matches when absent. */
export function findFunctionOrThrow(binary: BinaryFunctions, name: string, shownBinary = binary.path): ProbeableFunction {
  const plain = name.replace(/@.*$/, "");
  const hit = binary.functions.find((f) => f.versionedName === name || f.name === name || f.aliases.includes(name)) ??
    (plain !== name ? undefined : binary.functions.find((f) => f.versionedName.replace(/@.*$/, "") === plain));
  if (hit !== undefined) return hit;
  const all = binary.functions.flatMap((f) => [f.name, ...f.aliases]);
  if (binary.ifuncs.includes(plain)) {
    // glibc names the variants __NAME_<isa> (__strcpy_avx2); stripped libraries do not list them.
    const isa = /_(sse\d*|ssse3|avx\d*|evex\d*|erms|generic|unaligned|aligned|rtm|asimd|sve|mops)/;
    const impls = all.filter((n) => n.startsWith(`__${plain}_`) && isa.test(n.slice(plain.length + 2))).sort().slice(0, 3);
    const such = impls.length > 0 ? `: probe an implementation such as ${impls.map((n) => `'${n}'`).join(", ")}`
      : ": its implementations are not in the symbol table, probe a caller instead";
    throw new ProbeError(`function '${name}' in '${binary.path}' is an indirect function (IFUNC) chosen at run time${such}`, {
      code: "no-symbol", path: binary.path,
    });
  }
  const near = nearMatches(plain, [...all, ...binary.ifuncs]);
  const hint = near.length > 0 ? `: did you mean ${near.map((n) => `'${n}'`).join(", ")}?` :
    all.length === 0 ? ": it has no function symbols (stripped?)" : `: list them with 'ftk probe -x ${shownBinary} --funcs'`;
  throw new ProbeError(`function '${name}' not found in '${binary.path}'${hint}`, { code: "no-symbol", path: binary.path });
}
