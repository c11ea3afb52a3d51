// Node's builtins by require() for the modules that every command's start loads: an ES import of a
// builtin makes Node build a module facade that reads each export, and node:fs's stream getters then load
// all of Node's stream classes (~3-5 ms of `ftk report`'s start, issue 11).
import { createRequire } from "node:module";

/** node:fs, required. */
export const nodeFs = createRequire(import.meta.url)("node:fs") as typeof import("node:fs");
