// `ftk trace` as a library call: records raw_syscalls (and uprobes on libc's path-taking wrappers for the
// strings) through the recorder, whose undo stack restores tracefs on every exit path, then reads the file
// back through the model and prints strace-style lines and summaries.
import { closeSync, createWriteStream, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { FtkError, TextOutput, UsageError } from "../base/index.js";
import { ElfFile, expandFetchArgs, findFunctionOffsets, resolveBinary, type ProbeDefinition } from "../probes/index.js";
import { findInPath, parseRecordArgs, record, stream, type RecordResult } from "../record/index.js";
import { LiveSyscallView } from "./live.js";
import { openTrace, type TraceFile } from "../tracedat/index.js";
import { Tracefs } from "../tracefs/index.js";
import { SyscallPairer, feedSyscalls, type SyscallSlice, type SyscallStep, type SyscallStepKind } from "../model/index.js";
import { errnoOf } from "./errno.js";
import { SyscallLineWriter, type LineMemo } from "./lines.js";
import { ALL_SYSCALLS, type SyscallSelection } from "./select.js";
import { SyscallSummary, type SummarySort } from "./summary.js";
import { findSyscallByName, syscallName, syscallTable } from "./x86-64.js";

/** What `ftk trace` was asked to do. */
export interface TraceOptions {
  /** The command to run and trace (with its children). */
  command: readonly string[];
  /** -p: processes to attach to (all their threads, and children). */
  pids: readonly number[];
  /** -a: every process. */
  all: boolean;
  /** -i: read this trace.dat instead of recording. */
  input?: string;
  /** -w: keep the recording in this file. */
  keep?: string;
  select?: SyscallSelection;
  status?: "all" | "success" | "failed";
  durations?: boolean;
  timestamps?: "none" | "t" | "tt" | "ttt";
  /** -c: only the summary; -C: lines and the summary. */
  summary?: "none" | "only" | "also";
  sort?: SummarySort;
  byThread?: boolean;
  histogram?: boolean;
  /** Colour the summary table and histograms (the CLI decides from --color, NO_COLOR and the terminal). */
  color?: boolean;
  /** Read path strings with uprobes on libc (default true). */
  strings?: boolean;
  /** Per-CPU ring buffer size for the recording (default 16384 KiB). */
  bufferSizeKb?: number;
}

/** Where `traceSyscalls` writes. */
export interface TraceIo {
  /** The lines and summaries. */
  out: Writable;
  /** Notes and warnings (one line each). */
  stderr: Writable;
  signal: AbortSignal;
  /** The command's stdio (default "inherit"). */
  commandStdio?: "inherit" | "ignore";
  /** Test hook: the tracefs to use. */
  tracefs?: Tracefs;
}

/** What a trace produced. */
export interface TraceResult {
  /** The command's exit status (128+N for signal N); 0 without a command. */
  status: number;
  /** Calls shown or counted. */
  calls: number;
  /** Events the kernel dropped (ring buffer overruns), summed over CPUs; -1 when unknown (-i). */
  eventsLost: number;
  /** The pid of the command, when one ran. */
  commandPid?: number;
}

/**
 * Per-CPU ring buffer for a trace: a syscall flood writes ~65 MB/s (dd bs=1), so 16 MiB last ~250 ms
 * while the reader is busy printing or the machine is loaded (4 MiB lost events in loaded bench runs).
 */
const DEFAULT_BUFFER_KB = 16384;

/** Longest sleep between two reads of the ring buffers. */
const LIVE_SLEEP_US = 10_000;

/** Group of the string uprobes; also the system the model reads the strings from. */
export const STRING_PROBE_GROUP = "ftk_trace_strings";

/**
 * libc wrappers that take paths (glibc x86_64): the calls they may make, then the wrappers with the
 * 1-based argument numbers of their paths.
 */
const PATH_WRAPPERS: readonly { calls: readonly string[]; wrappers: readonly (readonly [string, ...number[]])[] }[] = [
  { calls: ["open", "openat", "creat"], wrappers: [
    ["open", 1], ["open64", 1], ["__open_2", 1], ["__open64_2", 1], ["openat", 2], ["openat64", 2], ["__openat_2", 2],
    ["__openat64_2", 2], ["creat", 1], ["creat64", 1],
    // glibc-private entry points libc itself uses (locale files, iconv modules, ...).
    ["__open64_nocancel", 1], ["__openat64_nocancel", 2],
  ] },
  { calls: ["stat", "lstat", "newfstatat", "statx"], wrappers: [
    ["stat", 1], ["stat64", 1], ["lstat", 1], ["lstat64", 1], ["fstatat", 2], ["fstatat64", 2], ["statx", 2], ["__xstat64", 2], ["__lxstat64", 2],
  ] },
  { calls: ["access", "faccessat", "faccessat2"], wrappers: [["access", 1], ["faccessat", 2]] },
  { calls: ["execve", "execveat"], wrappers: [["execve", 1], ["execveat", 2]] },
  { calls: ["unlink", "unlinkat", "rmdir"], wrappers: [["unlink", 1], ["unlinkat", 2], ["rmdir", 1]] },
  { calls: ["mkdir", "mkdirat"], wrappers: [["mkdir", 1], ["mkdirat", 2]] },
  { calls: ["rename", "renameat", "renameat2"], wrappers: [["rename", 1, 2], ["renameat", 2, 4], ["renameat2", 2, 4]] },
  { calls: ["chdir"], wrappers: [["chdir", 1]] },
  { calls: ["chmod", "fchmodat", "fchmodat2"], wrappers: [["chmod", 1], ["fchmodat", 2]] },
  { calls: ["chown", "lchown", "fchownat"], wrappers: [["chown", 1], ["lchown", 1], ["fchownat", 2]] },
  { calls: ["truncate"], wrappers: [["truncate", 1], ["truncate64", 1]] },
  { calls: ["readlink", "readlinkat"], wrappers: [["readlink", 1], ["readlinkat", 2]] },
  { calls: ["symlink", "symlinkat"], wrappers: [["symlink", 1, 2], ["symlinkat", 1, 3]] },
  { calls: ["link", "linkat"], wrappers: [["link", 1, 2], ["linkat", 2, 4]] },
  { calls: ["statfs"], wrappers: [["statfs", 1], ["statfs64", 1]] },
  { calls: ["chroot"], wrappers: [["chroot", 1]] },
];

/** True when `selection` includes a call that takes a path. */
function wantsPaths(selection: SyscallSelection): boolean {
  return syscallTable().some((s) => s.args.includes("path") && selection.has(s.name));
}

/** Most path arguments of one wrapper (rename, link, symlink). */
const MAX_PATHS = 2;

/**
 * Uprobes on the wrappers of the selected calls (default: all), reading each path argument as `pN`
 * (pointer) and `sN` (string). Disabling a uprobe event waits for the kernel (an RCU grace period, 13-26 ms
 * here) once per event however many locations it has, so they make few events: with `immediates` (the
 * kernel takes `\imm` fetch arguments: see takesImmediates) one, `path`, whose wrappers with one path pad
 * `p1`/`s1` with a null pointer and an empty string (the model matches strings by pointer, and no path
 * argument is null); else two, `path1` and `path2`, by the number of paths. Wrappers this libc lacks are
 * skipped; an empty list when no libc is found.
 */
export async function planStringProbes(options: { pid?: number; select?: SyscallSelection; immediates?: boolean } = {}): Promise<ProbeDefinition[]> {
  const groups = PATH_WRAPPERS.filter(({ calls }) => options.select === undefined || calls.some((c) => options.select!.has(c)));
  let libc: { path: string; machine: number; offsets: Map<string, number> };
  try {
    libc = await findFunctionOffsets(await resolveBinary("libc", { pid: options.pid }), new Set(groups.flatMap((g) => g.wrappers.map((w) => w[0]))));
  } catch {
    return [];
  }
  if (/\s/.test(libc.path)) return [];
  const defs: ProbeDefinition[] = [];
  const seen = new Set<number>();
  const events = new Set<string>();
  for (const { wrappers } of groups) {
    for (const [name, ...argNums] of wrappers) {
      const fileOffset = libc.offsets.get(name);
      if (fileOffset === undefined || seen.has(fileOffset)) continue;
      seen.add(fileOffset);
      const args = expandFetchArgs(argNums.flatMap((n, k) => [`p${k}=$arg${n}:x64`, `s${k}=+0($arg${n}):string`]), {
        machine: libc.machine, isReturn: false, symbol: name,
      });
      if (options.immediates === true) for (let k = argNums.length; k < MAX_PATHS; k++) args.push(`p${k}=\\0:x64`, `s${k}=\\"":string`);
      const event = options.immediates === true ? "path" : `path${argNums.length}`;
      const line = [`p:${STRING_PROBE_GROUP}/${event}`, `${libc.path}:0x${fileOffset.toString(16)}`, ...args].join(" ");
      defs.push({ kind: "uprobe", group: STRING_PROBE_GROUP, event, line, binary: libc.path, symbol: name, fileOffset, append: events.has(event) });
      events.add(event);
    }
  }
  return defs;
}

/** True when the kernel's probe parser takes immediate fetch arguments (`\imm`, Linux 5.7+): its README says so. */
export async function takesImmediates(fs: Tracefs): Promise<boolean> {
  return /\\imm-value/.test((await fs.findFile("README").catch(() => undefined)) ?? "");
}

/**
 * Kernel functions that receive a path argument: the getname functions take the user pointer (argument
 * 1; event `getname`, a `ustring` read from user memory). getname_flags() is inlined into its fs/namei.c
 * callers (Debian's 6.1: mkdir, rmdir, unlink, rename, link, symlink, mknod), so the functions those calls
 * hand the copied `struct filename` to are probed too (event `filename`): its `uptr` (offset 8) is the
 * user pointer and its `name` (offset 0) the kernel's copy, which cannot fault (the getname probe's read
 * of a user page not yet in memory does: busybox's "/proc/self/exe").
 */
const KERNEL_PATH_FUNCTIONS: readonly { event: string; fetch: (n: number) => string[]; functions: readonly (readonly [string, number])[] }[] = [
  { event: "getname", fetch: (n) => [`p0=$arg${n}:x64`, `s0=+0($arg${n}):ustring`], functions: [["getname_flags", 1], ["getname", 1], ["getname_uflags", 1]] },
  {
    event: "filename", fetch: (n) => [`p0=+8($arg${n}):x64`, `s0=+0(+0($arg${n})):string`],
    functions: [
      ["do_mkdirat", 2], ["do_rmdir", 2], ["do_unlinkat", 2], ["do_renameat2", 2], ["do_linkat", 2], ["do_symlinkat", 3], ["do_mknodat", 2],
      // Lookups and opens: the kernel's copy also where the getname probe could not read the user page.
      ["filename_lookup", 2], ["do_filp_open", 2],
    ],
  },
];

/**
 * Kprobes on the functions of KERNEL_PATH_FUNCTIONS this kernel has (and does not blacklist for kprobes),
 * one event per kind with a location each: pointer `p0` and string `s0`. Empty without kprobes (this host).
 */
export async function planKernelStringProbes(
  fs: Tracefs, kallsymsPath = "/proc/kallsyms", blacklistPath = "/sys/kernel/debug/kprobes/blacklist",
): Promise<ProbeDefinition[]> {
  if (!fs.hasFile("kprobe_events")) return [];
  let text: string;
  try {
    text = await readFile(kallsymsPath, "latin1");
  } catch {
    return [];
  }
  const blacklist = await readFile(blacklistPath, "latin1").catch(() => "");
  const defs: ProbeDefinition[] = [];
  for (const { event, fetch, functions } of KERNEL_PATH_FUNCTIONS) {
    let first = true;
    for (const [symbol, arg] of functions) {
      if (!new RegExp(`^[0-9a-f]+ [tT] ${symbol}$`, "m").test(text) || new RegExp(`\\s${symbol}$`, "m").test(blacklist)) continue;
      const args = expandFetchArgs(fetch(arg), { isReturn: false, symbol });
      const line = [`p:${STRING_PROBE_GROUP}/${event}`, symbol, ...args].join(" ");
      defs.push({ kind: "kprobe", group: STRING_PROBE_GROUP, event, line, symbol, append: !first });
      first = false;
    }
  }
  return defs;
}

/** Why a command's paths cannot come from libc uprobes, or undefined when they can. */
async function staticReason(path: string): Promise<string | undefined> {
  let elf: ElfFile;
  try {
    elf = await ElfFile.open(path);
  } catch {
    return undefined; // a script: its interpreter is dynamic as a rule
  }
  try {
    const PT_INTERP = 3;
    return elf.segments.some((s) => s.type === PT_INTERP) ? undefined : `'${path}' is statically linked (no libc to probe)`;
  } finally {
    await elf.close();
  }
}

/**
 * Traces system calls as strace does: a command (followed into its children), processes (-p) or the whole
 * system (-a); or reads a recorded file (-i). Throws UsageError/FtkError (one line) before touching tracefs
 * for bad input.
 * @example
 * await traceSyscalls({ command: ["ls", "/"], pids: [], all: false }, { out: process.stderr, stderr: process.stderr, signal });
 */
export async function traceSyscalls(options: TraceOptions, io: TraceIo): Promise<TraceResult> {
  const select = options.select ?? ALL_SYSCALLS;
  if (options.input !== undefined) {
    const trace = await openTraceOrThrow(options.input);
    try {
      const r = await printTrace(trace, options, io, { select, stringSystem: STRING_PROBE_GROUP });
      return { status: 0, calls: r.calls, eventsLost: -1 };
    } finally {
      await trace.close();
    }
  }
  if (options.command.length === 0 && options.pids.length === 0 && !options.all) {
    throw new UsageError("nothing to trace: give a command, -p PID or -a");
  }
  const fs = io.tracefs ?? (await Tracefs.open());
  if (!fs.hasFile("events/raw_syscalls/sys_enter/enable")) {
    throw new FtkError(`this kernel has no syscall trace events: '${fs.root}/events/raw_syscalls' is missing (CONFIG_FTRACE_SYSCALLS)`);
  }
  const tids: number[] = [];
  for (const pid of options.pids) tids.push(...(await threadsOf(pid)));
  let commandPath: string | undefined;
  if (options.command.length > 0) {
    commandPath = findInPath(options.command[0]!);
    if (commandPath === undefined) throw new UsageError(`cannot run '${options.command[0]}': command not found`);
  }

  // Strings: uprobes on libc's wrappers when a selected call takes a path.
  let probes: ProbeDefinition[] = [];
  let note: string | undefined;
  let fromKernel = false;
  if ((options.strings ?? true) && options.summary !== "only" && wantsPaths(select)) {
    const kernel = await planKernelStringProbes(fs);
    if (kernel.length > 0) {
      probes = kernel;
      fromKernel = true;
    } else {
      const why = commandPath !== undefined && !options.all ? await staticReason(commandPath) : undefined;
      if (why !== undefined) note = `${why}: paths are shown as pointers`;
      else probes = await planStringProbes({ pid: options.pids[0], select, immediates: await takesImmediates(fs) });
      if (probes.length === 0 && note === undefined) note = "no libc found to probe: paths are shown as pointers";
    }
  }

  const dir = mkdtempSync(join(tmpdir(), "ftk-trace-"));
  const live = options.keep === undefined;
  const file = options.keep ?? join(dir, "trace.dat");
  const stringSystem = probes.length > 0 ? STRING_PROBE_GROUP : undefined;
  try {
    const argv = ["-q", "-o", file, "--compression", "none"];
    const filter = kernelFilter(select);
    for (const ev of ["raw_syscalls:sys_enter", "raw_syscalls:sys_exit"]) {
      argv.push("-e", ev);
      if (filter !== undefined) argv.push("-f", filter);
    }
    argv.push("-b", String(options.bufferSizeKb ?? DEFAULT_BUFFER_KB));
    const wall = (options.timestamps ?? "none") !== "none";
    // -t needs CLOCK_MONOTONIC (its offset to the time of day is known exactly); live, records are merged
    // across CPUs by time, so the clock must agree between CPUs.
    if (wall) argv.push("-C", "mono");
    else if (live) argv.push("-C", await liveTraceClock());
    if (!options.all) {
      if (options.command.length > 0) argv.push("-F", "-c");
      else argv.push("-c", "-P", tids.join(","));
    }
    if (options.command.length > 0) argv.push("--", commandPath!, ...options.command.slice(1));
    const ro = parseRecordArgs(argv, "record");
    ro.probeDefinitions = probes;
    ro.kallsyms = false; // syscall events need no kernel symbols; reading them costs ~0.2 s
    // Read at least every 10 ms: a syscall flood fills 4 MiB per CPU in ~60 ms, and the reader's pace
    // (from the last round) says nothing about a command that has just started.
    ro.sleepUs = LIVE_SLEEP_US;
    const offsetBefore = wallOffsetNs();
    const offset = wall ? offsetBefore : undefined;
    let r: { status: number; calls: number; pointerPaths: number; eventsLost: number; commandPid?: number };
    if (live) {
      // Lines are printed as the command runs; -t's wall-clock offset is taken before it starts.
      const printer = new TracePrinter(options, io, { select, stringSystem, wallOffsetNs: offset });
      let commandPid: number | undefined;
      const view = new LiveSyscallView({
        systems: stringSystem === undefined ? ["raw_syscalls"] : ["raw_syscalls", stringSystem],
        dir,
        pairer: printer.pairer,
        onRound: () => printer.out.flushNow(),
        onCommand: (pid) => {
          commandPid = pid;
          printer.commandStarted(pid);
        },
      });
      try {
        // stream() hands on every record (the view's drain()) before it returns.
        const status = await stream(ro, { stdout: io.stderr, stderr: io.stderr, signal: io.signal, commandStdio: io.commandStdio, tracefs: io.tracefs }, view);
        printer.finish();
        await printer.out.flush();
        r = { status, calls: printer.calls, pointerPaths: printer.pointerPaths, eventsLost: view.eventsLost, commandPid };
      } finally {
        await view.close();
      }
    } else {
      const devNull = createWriteStream("/dev/null");
      let result: RecordResult;
      try {
        result = await record(ro, { stdout: devNull, stderr: io.stderr, signal: io.signal, commandStdio: io.commandStdio, tracefs: io.tracefs });
      } finally {
        devNull.end();
      }
      const eventsLost = result.buffers.reduce((t, b) => t + b.cpus.reduce((u, c) => u + c.overrun + c.dropped, 0), 0);
      const trace = await openTraceOrThrow(file);
      try {
        const p = await printTrace(trace, options, io, {
          select, stringSystem, commandPid: result.commandPid, wallOffsetNs: wall ? (offsetBefore + wallOffsetNs()) / 2n : undefined,
        });
        r = { ...p, status: result.status, eventsLost, commandPid: result.commandPid };
      } finally {
        await trace.close();
      }
    }
    if (probes.length > 0 && r.pointerPaths > 0) {
      note ??= fromKernel
        ? `${r.pointerPaths} path arguments are shown as pointers: the kernel did not copy them with a probed function (or the probe could not: the page was not in memory)`
        : `${r.pointerPaths} path arguments are shown as pointers: those calls did not go through a probed libc wrapper (dynamic loader, libc internals)`;
    }
    if (note !== undefined) io.stderr.write(`ftk trace: note: ${note}\n`);
    if (r.eventsLost > 0) io.stderr.write(`ftk trace: ${r.eventsLost} events lost (ring buffer full): calls are missing; raise the buffer with -b KB\n`);
    return { status: r.status, calls: r.calls, eventsLost: r.eventsLost, commandPid: r.commandPid };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function openTraceOrThrow(path: string): Promise<TraceFile> {
  try {
    return await openTrace(path);
  } catch (e) {
    if (e instanceof FtkError) throw e;
    throw new FtkError(`cannot read '${path}': ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The trace clock for a live trace: `local` (sched_clock, the cheapest: `mono` makes each event cost
 * ~10% more of a syscall flood's time here) when the kernel says sched_clock is the same on every CPU,
 * else `mono`. x86 kernels print `sched_clock_stable()` in debugfs' sched/debug; kernels whose
 * architecture has no unstable sched_clock print no such line. Unreadable (no debugfs): `mono`.
 */
export async function liveTraceClock(path = "/sys/kernel/debug/sched/debug"): Promise<"local" | "mono"> {
  const stable = /sched_clock_stable\(\)\s*:\s*(\d+)/;
  let text = "";
  let fd: number | undefined;
  try {
    // The line is in the header, the file's first record: the per-CPU sections that follow (~24 KB here,
    // more with more CPUs and tasks) are generated only when read, so reading stops there.
    fd = openSync(path, "r");
    const buf = Buffer.alloc(4096);
    for (let n; !stable.test(text) && !text.includes("\ncpu#") && text.length < 65536 && (n = readSync(fd, buf, 0, buf.length, null)) > 0;) {
      text += buf.toString("latin1", 0, n);
    }
  } catch {
    return "mono";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const m = stable.exec(text);
  return m === null || m[1] !== "0" ? "local" : "mono";
}

/** Wall-clock ns minus CLOCK_MONOTONIC ns (the `mono` trace clock). */
function wallOffsetNs(): bigint {
  return BigInt(Date.now()) * 1000000n - process.hrtime.bigint();
}

/** Every thread of process `pid`; throws UsageError when it does not exist. */
async function threadsOf(pid: number): Promise<number[]> {
  const { readdir } = await import("node:fs/promises");
  try {
    return (await readdir(`/proc/${pid}/task`)).map(Number).filter((n) => n > 0);
  } catch {
    throw new UsageError(`-p ${pid}: no such process`);
  }
}

/** A kernel filter keeping only the selected calls (by number), or undefined for every call. */
function kernelFilter(select: SyscallSelection): string | undefined {
  if (select.names === undefined) return undefined;
  // execve and execveat stay: the command's successful exec marks where its own calls begin.
  const names = new Set([...select.names, "execve", "execveat"]);
  const nrs = [...names].map((n) => findSyscallByName(n)?.nr).filter((n) => n !== undefined);
  return nrs.map((n) => `id == ${n}`).join(" || ");
}

/**
 * Calls kept back from the launcher before they are shown after all: the launcher makes a handful before
 * the exec, so more means the exec was not seen (a file's thread that only looked like it, or events lost
 * when the ring buffer overran: it drops the oldest pages first).
 */
const HELD_MAX = 64;

/** The call a launcher is held in before its command's exec: see record/command.ts. */
const LAUNCHER_CALLS = new Set(["read", "flock"]);

const CHILD_RETURNS = new Set(["clone", "clone3", "fork", "vfork"]);

const NEWLINE = Uint8Array.of(0x0a);

/** Reads the syscalls of `trace` and prints lines and summaries. */
async function printTrace(
  trace: TraceFile,
  options: TraceOptions,
  io: TraceIo,
  ctx: PrintContext,
): Promise<{ calls: number; pointerPaths: number }> {
  const printer = new TracePrinter(options, io, ctx);
  await feedSyscalls(trace, { stringSystem: ctx.stringSystem }, printer.pairer, () => printer.out.maybeFlush());
  printer.finish();
  await printer.out.flush();
  return { calls: printer.calls, pointerPaths: printer.pointerPaths };
}

interface PrintContext {
  select: SyscallSelection;
  stringSystem?: string;
  commandPid?: number;
  wallOffsetNs?: bigint;
}

/**
 * Events in, strace lines and summaries out: the model's pairer, the launcher's calls kept back, the line
 * writer and the summary. Lines collect in `out`; the caller flushes it.
 */
class TracePrinter {
  /** The lines and summaries, as UTF-8. */
  readonly out: TextOutput;
  calls = 0;
  pointerPaths = 0;
  private readonly options: TraceOptions;
  private readonly select: SyscallSelection;
  private readonly writer: SyscallLineWriter | undefined;
  private readonly summary: SyscallSummary | undefined;
  // The command starts as our launcher (a shell waiting on a pipe) holding it: its calls up to the
  // successful execve are not the command's. Reading a file (-i), the launcher is recognised by its first
  // event, the end of the read() that held it (flock() for files of older ftk versions). Either way its
  // calls are kept back (at most HELD_MAX) and shown after all if no execve comes.
  private readonly held = new Map<number, { steps: SyscallStep[]; exec?: SyscallStep }>();
  private seen: Set<number> | undefined;
  /** The model's pairer: feed it the events (or raw records). */
  readonly pairer: SyscallPairer;
  /** Path arguments left as pointers are counted for the note, which only string probes call for. */
  private readonly countPaths: boolean;

  constructor(options: TraceOptions, io: TraceIo, ctx: PrintContext) {
    this.options = options;
    this.select = ctx.select;
    const summaryMode = options.summary ?? "none";
    this.out = new TextOutput(io.out);
    this.writer = summaryMode === "only" ? undefined : new SyscallLineWriter((l, memo) => this.line(l, memo), {
      durations: options.durations, timestamps: options.timestamps, wallOffsetNs: ctx.wallOffsetNs,
      select: ctx.select.has, status: options.status,
    });
    this.summary = summaryMode === "none" && !options.histogram ? undefined : new SyscallSummary();
    this.seen = new Set<number>();
    if (ctx.commandPid !== undefined) this.commandStarted(ctx.commandPid);
    // The pairer runs synchronously per event.
    // Arguments are read only for lines; the summary needs none.
    this.pairer = SyscallPairer.forCalls((kind, call) => this.route(kind, call), { syscallName, stringSystem: ctx.stringSystem, args: this.writer !== undefined });
    this.countPaths = ctx.stringSystem !== undefined;
  }

  /** One line of output; a line that repeats (same `memo`) is encoded once, the second time. */
  private line(text: string, memo?: LineMemo): void {
    if (memo?.seen === true) {
      this.out.writeBytes((memo.bytes ??= Buffer.from(text + "\n", "utf8")));
      return;
    }
    if (memo !== undefined) memo.seen = true;
    this.out.writeUtf8(text);
    this.out.writeBytes(NEWLINE);
  }

  /** The command's pid: its launcher's calls are kept back from the start. */
  commandStarted(pid: number): void {
    this.held.set(pid, { steps: [] });
    this.seen = undefined;
  }

  /** Ends the stream: open calls, calls still kept back, the summary. */
  finish(): void {
    this.pairer.finish();
    for (const h of this.held.values()) for (const x of h.steps) this.handle(x.kind, x.call);
    this.writer?.finish();
    const summary = this.summary;
    if (summary !== undefined) {
      const sort = this.options.sort ?? "time";
      const color = this.options.color === true;
      if ((this.options.summary ?? "none") !== "none") this.line((this.options.byThread ? summary.tablesByThread(sort, color) : summary.table(sort, color)).replace(/\n$/, ""));
      if (this.options.histogram) this.line(summary.histograms(color).replace(/\n$/, ""));
    }
  }

  private handle(kind: SyscallStepKind, c: SyscallSlice): void {
    // A new child's return from clone/fork (0, no entry of its own): strace never shows it.
    if (c.enterMissing && c.ret === 0n && CHILD_RETURNS.has(c.name)) return;
    if (kind !== "enter" && this.select.has(c.name) && statusMatches(c, this.options.status)) {
      if (kind === "exit") {
        this.calls++;
        this.summary?.add(c);
      }
      if (this.countPaths) this.pointerPaths += countPointerPaths(c);
    }
    this.writer?.call(kind, c);
  }

  /** Passes a step on, unless it belongs to the launcher before the command's execve. */
  private route(kind: SyscallStepKind, call: SyscallSlice): void {
    const tid = call.tid;
    const held = this.held;
    if (this.seen !== undefined && !this.seen.has(tid)) {
      this.seen.add(tid);
      if (kind === "exit" && call.enterMissing && LAUNCHER_CALLS.has(call.name)) held.set(tid, { steps: [] });
    }
    const h = held.size === 0 ? undefined : held.get(tid);
    if (h === undefined) return this.handle(kind, call);
    const isExec = call.name === "execve" || call.name === "execveat";
    if (isExec && kind === "exit" && call.ret === 0n) {
      held.delete(tid);
      if (h.exec !== undefined) this.handle(h.exec.kind, h.exec.call);
      return this.handle(kind, call);
    }
    const s = { kind, call } as SyscallStep;
    if (isExec && kind === "enter") h.exec = s;
    h.steps.push(s);
    if (h.steps.length > HELD_MAX) {
      held.delete(tid);
      for (const x of h.steps) this.handle(x.kind, x.call);
    }
  }
}

function statusMatches(c: SyscallSlice, status: TraceOptions["status"]): boolean {
  if (status === undefined || status === "all") return true;
  if (c.ret === undefined) return false;
  const failed = errnoOf(c.ret) !== 0;
  return status === "failed" ? failed : !failed;
}

/** Indexes of the path arguments of each call (empty for most calls), by number, with the name they are for. */
const PATH_ARGS: ({ name: string; at: readonly number[] } | undefined)[] = [];

/** Path arguments of `c` that have no string. */
function countPointerPaths(c: SyscallSlice): number {
  const slot = c.nr >= 0 && c.nr < 4096 ? c.nr : 4096;
  let e = PATH_ARGS[slot];
  if (e === undefined || e.name !== c.name) {
    const kinds = findSyscallByName(c.name)?.args ?? [];
    PATH_ARGS[slot] = e = { name: c.name, at: kinds.flatMap((k, i) => (k === "path" ? [i] : [])) };
  }
  const at = e.at;
  if (at.length === 0 || c.enterMissing) return 0;
  let n = 0;
  for (const i of at) if ((c.args[i] ?? 0n) !== 0n && c.strings?.[i] === undefined) n++;
  return n;
}
