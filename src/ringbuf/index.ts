export { type RawRecord, createRawRecord } from "./record.js";
export { type PageLayout, type PageLayoutDefaults, parseHeaderPage } from "./page-layout.js";
export { type PageStatus, PageDecoder } from "./page-decoder.js";
