// Symbols for stacks: kallsyms, saved maps -> ELF symbols, perf maps.
export { Symbolizer, UNKNOWN_FRAME } from "./symbolizer.js";
export { parseProcMaps, type ProcessMaps, type MappedFile } from "./proc-maps.js";
export { PerfMap } from "./perf-map.js";
export { ElfSymbols, moduleOffsetName } from "./elf-symbols.js";
