// Low-level tracefs file access: whole-file reads until EOF (tracefs files report size 0), single-write
// updates with O_TRUNC or O_APPEND, and the errno -> one-line message mapping of style.md §4.
import { closeSync, constants, openSync, opendirSync, readSync, write, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { promisify } from "node:util";
import { TracefsError, describeErrno } from "../base/index.js";

/** The Node error code of e ("ENOENT", "EPERM", ...), or undefined. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Phrase for an errno on a tracefs control file (style.md §4): ENOENT on a control file means the kernel lacks it. */
export function tracefsErrnoPhrase(code: string | undefined, e?: unknown): string {
  if (code === "ENOENT") return "not available on this kernel";
  if (code === "EEXIST") return "already exists";
  return describeErrno(e ?? Object.assign(new Error(String(code)), { code }));
}

/** Builds the TracefsError for a failed read or write of `rel`. */
export function tracefsError(
  action: "read" | "write",
  rel: string,
  e: unknown,
  options: { text?: string; kernelLog?: string } = {},
): TracefsError {
  const code = errnoOf(e);
  const what = action === "write" && options.text !== undefined
    ? `cannot write '${oneLine(options.text)}' to '${rel}'`
    : `cannot ${action} '${rel}'`;
  const log = options.kernelLog ? ` (kernel: ${options.kernelLog})` : "";
  return new TracefsError(`${what}: ${tracefsErrnoPhrase(code, e)}${log}`, { code: code ?? "error", path: rel, cause: e });
}

/** Shortens text for a one-line message (first line, at most 120 characters). */
export function oneLine(text: string): string {
  const first = text.replace(/\n+$/, "").split("\n").join("\\n");
  return first.length > 120 ? first.slice(0, 117) + "..." : first;
}

const scratch = Buffer.allocUnsafe(65536);

/**
 * True for control files that hand out their whole content in one read (simple_read_from_buffer in the
 * kernel: per-event `enable` and `filter`, `options/*`). seq_file files (`trigger`, `set_event`, ...) return
 * at most one kernel buffer (about 4 KiB) per read and must be read until a read returns 0.
 */
export function isOneReadFile(rel: string): boolean {
  return /(?:^|\/)(?:enable|filter)$/.test(rel) || /(?:^|\/)options\/[^/]+$/.test(rel);
}

/**
 * Reads a small control file synchronously until EOF (open, read, read, close), or with a single read for
 * one-read files (see isOneReadFile). Used for bulk state snapshots, where it is about 10x faster than
 * fs.promises here (6.18, 2 CPUs: ~7000 files in 100-250 ms of CPU).
 */
export function readSmallSync(path: string, oneRead = false): string {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    let text = "";
    for (;;) {
      const n = readSync(fd, scratch, 0, scratch.length, null);
      if (n === 0) break;
      text += scratch.toString("latin1", 0, n);
      if (oneRead && n < scratch.length) break;
    }
    return text;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a control file until EOF. Throws the raw Node error. Synchronous underneath (readSmallSync):
 * control files are generated in memory, and a command reads dozens of them (list -o: one per option),
 * where four thread-pool round trips per file cost more than the reads (issue 11: start-up).
 */
export async function readWhole(path: string): Promise<string> {
  return readSmallSync(path);
}

/**
 * Control files whose write() waits for the kernel (buffer allocation, ~20 ms here): written on the thread
 * pool, so that other work can overlap it. Their open is quick, so it is done here: an async open would
 * wait for this thread to come back (~10 ms while ftk trace spawns the command) before the write starts.
 */
const SLOW_WRITE = /(?:^|\/)(?:buffer_size_kb|buffer_subbuf_size_kb)$/;

/** Pid lists: their O_TRUNC open empties the list and waits for an RCU grace period: opened (and written) on the thread pool. */
const SLOW_OPEN = /(?:^|\/)(?:set_event_pid|set_event_notrace_pid|set_ftrace_pid|set_ftrace_notrace_pid)$/;

const writeOnPool = promisify(write);

/**
 * Writes text (one write() unless the kernel takes less), replacing (O_TRUNC) or appending; never creates.
 * Throws the raw Node error. Synchronous, like the reads (three thread-pool round trips cost more than a
 * quick write, and much more on a loaded machine), except for the files of SLOW_WRITE and SLOW_OPEN.
 */
export async function writeWhole(path: string, text: string, append: boolean): Promise<void> {
  const flags = constants.O_WRONLY | (append ? constants.O_APPEND : constants.O_TRUNC);
  const bytes = Buffer.from(text, "latin1");
  if (SLOW_OPEN.test(path)) {
    const fh = await open(path, flags);
    try {
      await writeRest(bytes, async (pos) => (await fh.write(bytes, pos, bytes.length - pos, null)).bytesWritten);
    } finally {
      await fh.close();
    }
    return;
  }
  const slow = SLOW_WRITE.test(path);
  const fd = openSync(path, flags);
  try {
    const n = (pos: number) => bytes.length - pos;
    await writeRest(bytes, (pos) => (slow ? writeOnPool(fd, bytes, pos, n(pos), null).then((r) => r.bytesWritten) : writeSync(fd, bytes, pos, n(pos), null)));
  } finally {
    closeSync(fd);
  }
}

/** List files parse what they get and may take less than asked: writes the rest on the same open file. */
async function writeRest(bytes: Buffer, write: (pos: number) => number | Promise<number>): Promise<void> {
  let pos = 0;
  while (pos < bytes.length) {
    const n = await write(pos);
    if (n <= 0) {
      const e = new Error(`short write (${pos} of ${bytes.length} bytes)`) as NodeJS.ErrnoException;
      e.code = "EIO";
      throw e;
    }
    pos += n;
  }
}

/**
 * Directory entries in the kernel's order (fs.readdir sorts them, as libuv's scandir does; trace-cmd shows
 * the unsorted order, so `list` and `stat` use this). Throws the raw Node error.
 */
export async function readdirInOrder(path: string, onlyDirs = false): Promise<string[]> {
  // Read synchronously, as the control files are: no thread-pool round trip per batch of entries.
  const names: string[] = [];
  const dir = opendirSync(path);
  try {
    for (let d = dir.readSync(); d !== null; d = dir.readSync()) if (!onlyDirs || d.isDirectory()) names.push(d.name);
  } finally {
    dir.closeSync();
  }
  return names;
}

/** Hint for a tracer that this kernel lacks (function tracers are locked down on the reference 6.18 host). */
export const TRACER_HINT = "; trace syscall events instead (-e syscalls, -e raw_syscalls) for latency, or user functions with uprobes (--uprobe, -p ufuncgraph)";
