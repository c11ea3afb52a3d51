// --proc-map: the address maps of the traced processes, saved as trace-cmd's PROCMAPS options
// (trace-dat-format.md §6). A private instance reports sched_process_exec and sched_process_exit as
// they happen, so a process's maps are read right after its exec and kept up to date (every
// POLL_MS) until it exits: a process that ends before the recording still has its maps. After the
// map lines, which is all trace-cmd reads, ftk appends the process's /tmp/perf-PID.map when one exists.
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import type { Instance, Tracefs, UndoStack } from "../tracefs/index.js";

const POLL_MS = 50;
const PIPE_MS = 10;
/** The line that starts the perf map after a PROCMAPS payload's map lines. */
export const PERF_MAP_MARKER = "# perf-map ";

interface Snapshot {
  comm: string;
  /** "start end path" lines, in trace-cmd's shape (hex, one line per file). */
  lines: string[];
}

/** /proc/PID/maps as trace-cmd stores it: file-backed mappings merged per run of the same path. */
export function procMapLines(mapsText: string): string[] {
  const out: string[] = [];
  let path = "";
  let start = 0n;
  let end = 0n;
  const flush = () => {
    if (path !== "") out.push(`${start.toString(16)} ${end.toString(16)} ${path}`);
  };
  for (const line of mapsText.split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+\S+\s+\S+\s+\S+\s+\S+\s*(.*)$/.exec(line);
    if (m === null) continue;
    const p = m[3]!.trim();
    if (!p.startsWith("/") && p !== "[vdso]") {
      // An anonymous mapping (JIT code, heap) ends the run: merging across it would claim its addresses.
      flush();
      path = "";
      continue;
    }
    const s = BigInt("0x" + m[1]!);
    const e = BigInt("0x" + m[2]!);
    if (p === path && s >= end) {
      end = e;
      continue;
    }
    flush();
    path = p;
    start = s;
    end = e;
  }
  flush();
  return out;
}

function readSnapshot(pid: number): Snapshot | undefined {
  try {
    const lines = procMapLines(readFileSync(`/proc/${pid}/maps`, "latin1"));
    if (lines.length === 0) return undefined;
    const comm = readFileSync(`/proc/${pid}/comm`, "latin1").trim().replace(/\s/g, "_") || "<...>";
    return { comm, lines };
  } catch {
    return undefined;
  }
}

/** Follows exec/exit of the traced processes and keeps their latest maps. */
export class ProcMapWatcher {
  private readonly snapshots = new Map<number, Snapshot>();
  private readonly live = new Set<number>();
  private pipeFd = -1;
  private rest = "";
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly buf = Buffer.alloc(64 * 1024);

  private removed = false;

  private constructor(
    private readonly fs: Tracefs,
    private readonly instanceName: string,
    private readonly pids: readonly number[] | undefined,
  ) {}

  /**
   * Creates the instance (removed by `undo`) and starts following; `pids` undefined means every process.
   * `ownPids` are kept out (ftk's own threads).
   */
  static async start(fs: Tracefs, undo: UndoStack, pids: readonly number[] | undefined, ownPids: readonly number[]): Promise<ProcMapWatcher> {
    const w = new ProcMapWatcher(fs, `ftk-procmap-${process.pid}`, pids);
    const inst: Instance = await fs.createInstance(w.instanceName);
    // Removed by stop() on the way out, or by the undo on any other (also with -k: it is ftk's own).
    undo.push(`remove instance '${w.instanceName}'`, () => w.halt());
    if (pids !== undefined) {
      await inst.writeFile("set_event_pid", pids.join(" "));
      await inst.setOption("event-fork", true);
    } else if (inst.hasFile("set_event_notrace_pid")) {
      await inst.writeFile("set_event_notrace_pid", ownPids.join(" "));
    }
    await inst.enableEvent("sched", "sched_process_exec");
    await inst.enableEvent("sched", "sched_process_exit");
    await inst.setTracingOn(true);
    w.pipeFd = openSync(`${inst.path}/trace_pipe`, constants.O_RDONLY | constants.O_NONBLOCK);
    for (const pid of pids ?? []) w.track(pid);
    w.timers.push(setInterval(() => w.readPipe(), PIPE_MS), setInterval(() => w.poll(), POLL_MS));
    for (const t of w.timers) t.unref();
    return w;
  }

  /** Stops the timers, closes the pipe (an open one keeps rmdir EBUSY) and removes the instance, once. */
  private async halt(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.closePipe();
    if (this.removed) return;
    this.removed = true;
    if (this.fs.hasInstance(this.instanceName)) await this.fs.removeInstance(this.instanceName);
  }

  private closePipe(): void {
    if (this.pipeFd >= 0) closeSync(this.pipeFd);
    this.pipeFd = -1;
  }

  private track(pid: number): void {
    this.live.add(pid);
    this.take(pid);
  }

  private take(pid: number): void {
    const s = readSnapshot(pid);
    if (s !== undefined) this.snapshots.set(pid, s);
  }

  private poll(): void {
    for (const pid of this.live) this.take(pid);
  }

  /** Reads what the pipe holds; an empty pipe gives EAGAIN. */
  private readPipe(): void {
    for (;;) {
      let n: number;
      try {
        n = readSync(this.pipeFd, this.buf, 0, this.buf.length, null);
      } catch {
        return;
      }
      if (n <= 0) return;
      const text = this.rest + this.buf.toString("latin1", 0, n);
      const lines = text.split("\n");
      this.rest = lines.pop()!;
      for (const line of lines) {
        const m = /(sched_process_exec|sched_process_exit):.*?\bpid=(\d+)/.exec(line);
        if (m === null) continue;
        const pid = Number(m[2]);
        if (m[1] === "sched_process_exec") this.track(pid);
        else {
          this.take(pid);
          this.live.delete(pid);
        }
      }
    }
  }

  /** Stops following, takes the maps one last time, removes the instance and returns the PROCMAPS payloads. */
  async stop(): Promise<string[]> {
    this.readPipe();
    await this.halt();
    this.poll();
    if (this.pids === undefined) {
      for (const name of readdirSync("/proc")) {
        const pid = Number(name);
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !this.snapshots.has(pid)) this.take(pid);
      }
    }
    const out: string[] = [];
    for (const [pid, s] of [...this.snapshots].sort((a, b) => a[0] - b[0])) {
      let text = `${pid.toString(16)} ${s.lines.length.toString(16)} ${s.comm}\n${s.lines.join("\n")}\n`;
      const perfMap = `/tmp/perf-${pid}.map`;
      if (existsSync(perfMap)) {
        try {
          text += `${PERF_MAP_MARKER}${perfMap}\n${readFileSync(perfMap, "latin1").replace(/\0/g, "")}`;
        } catch {
          // unreadable: the JIT frames stay [unknown]
        }
      }
      out.push(text);
    }
    return out;
  }
}
