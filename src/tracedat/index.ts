export { TRACEDAT_MAGIC, OPTION, SECTION_FLAG_COMPRESSED, SECTION_HEADER_SIZE, MARKER } from "./constants.js";
export { writeTraceDat, type TraceDatMetadata, type TraceDatBuffer, type TraceDatWriteOptions, type TraceDatWriteResult, type TraceDatText, type TraceDatCompression } from "./writer.js";
export { type OpenTraceOptions, type TraceBufferInfo, type Tsc2Nsec, TraceFile, openTrace } from "./trace-file.js";
export { type CpuStream } from "./cpu-stream.js";
export { type MergedRecord, RecordMerger } from "./record-merger.js";
export { availableCompressions, findBlockCompressor, type BlockCompressor } from "./writer-compress.js";
export { convertTraceDat, rewriteTraceDat, metadataOf, type ConvertOptions, type PageFilter } from "./convert.js";
export { splitTraceDat, splitPartName, type SplitOptions } from "./split.js";
export { dumpTraceDat, DUMP_PARTS, type DumpPart, type DumpOptions } from "./dump.js";
