export { type RawRecord, createRawRecord } from "./record.js";
