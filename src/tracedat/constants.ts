// Numbers and magic strings of the trace.dat format (../shared/docs/trace-dat-format.md §2-§6).

/** The first 10 bytes of every trace.dat file: 0x17 0x08 0x44 then "tracing". */
export const TRACEDAT_MAGIC = Uint8Array.of(0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67);

/** Option ids (v6 and v7) and v7 section ids, which share one number space. */
export const OPTION = {
  DONE: 0,
  DATE: 1,
  CPUSTAT: 2,
  BUFFER: 3,
  TRACECLOCK: 4,
  UNAME: 5,
  HOOK: 6,
  OFFSET: 7,
  CPUCOUNT: 8,
  VERSION: 9,
  PROCMAPS: 10,
  TRACEID: 11,
  TIME_SHIFT: 12,
  GUEST: 13,
  TSC2NSEC: 14,
  STRINGS: 15,
  HEADER_INFO: 16,
  FTRACE_EVENTS: 17,
  EVENT_FORMATS: 18,
  KALLSYMS: 19,
  PRINTK: 20,
  CMDLINES: 21,
  BUFFER_TEXT: 22,
  BTF_FILE: 23,
  LAST_BOOT_INFO: 24,
  MODULES_FILE: 25,
} as const;

/** v7 section header flag: the body is compressed. */
export const SECTION_FLAG_COMPRESSED = 1;

/** Size of a v7 section header: u16 id, u16 flags, s32 description, u64 size. */
export const SECTION_HEADER_SIZE = 16;

/** Marker strings, each written with its NUL (v6 §3). */
export const MARKER = {
  headerPage: "header_page",
  headerEvent: "header_event",
  options: "options  ",
  flyrecord: "flyrecord",
  latency: "latency  ",
} as const;
