// Dynamic probes: ELF symbols, library lookup, fetch-arg expansion, uprobe/kprobe definitions and their
// creation through tracefs (tracefs-control.md §3.4).
export { ElfFile, type ElfSection, type ElfSegment, type ElfSymbol } from "./elf/index.js";
export { parseLdSoCache, readLdSoCache, readMappedFiles, resolveBinary, type LdCacheEntry } from "./library.js";
export { expandFetchArgs, sanitizeName } from "./fetch-args.js";
export {
  readFunctions, findFunctionOffsets, matchFunctions, findFunctionOrThrow, nearMatches, editDistance, globToRegExp,
  type ProbeableFunction, type BinaryFunctions,
} from "./functions.js";
export {
  resolveProbeSpec, planUfuncgraph, defaultUprobeGroup, RETURN_SUFFIX, UFUNCGRAPH_DEFAULT_LIMIT, type ProbeDefinition,
} from "./probe-spec.js";
export { addProbes, deleteProbes, listProbes, checkProbeSupport, parseProbeEventLine, type ProbeEventLine } from "./probe-events.js";
