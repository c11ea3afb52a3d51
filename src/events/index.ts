// The events folder: format files -> EventTable, field readers, symbol tables, and event text rendering.
export { type FileInfo, type FieldDef, type EventFormat, EventTable } from "./event-format.js";
export { fieldNumberReader, fieldBigIntReader, fieldSignedReader, fieldStringReader, fieldDataLocator } from "./field-readers.js";
export { Kallsyms, type KernelSymbol, type KallsymsText, type KallsymsReader, type KallsymsSource } from "./kallsyms.js";
export { PrintkFormats } from "./printk-formats.js";
export { TaskNames, newestFirstByPid, halvingSearch } from "./task-names.js";
export { compileEventFilter, pidFilterText, type EventFilterOptions, type CommSource, type SymbolSource } from "./filter/index.js";
export { filterTestLines } from "./filter/index.js";
export { EventPrinter, type PrinterOptions, type PrinterSymbols } from "./event-printer.js";
export { PLUGIN_OPTIONS, type PluginOption } from "./plugins/index.js";
export { isWordSize, readUnsignedBig } from "./field-readers.js";
export { LazyFormatText, type FormatSource } from "./event-format.js";
