// ELF reading for probes: headers, symbols with versions, vaddr -> file offset.
export { ElfFile, type ElfSection, type ElfSegment, type ElfSymbol } from "./elf-file.js";
