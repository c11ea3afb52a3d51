// The `report -F` filter language: parse once, compile to predicate closures (report-output.md §7).
export { compileEventFilter, pidFilterText, type EventFilterOptions } from "./event-filter.js";
export { type CommSource, type SymbolSource } from "./filter-compiler.js";
export { filterTestLines } from "./filter-text.js";
