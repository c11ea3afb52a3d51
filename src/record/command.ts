// Starts the traced command held before exec (tracefs-control.md §6), without a shell: the child is
// `flock --no-fork LOCK CMD ARGS...`, which waits for a lock that a holder process (`flock LOCK cat`)
// keeps until we close its stdin. Meanwhile we know the child's pid and write the pid filters; the
// release lets flock exec the command in the same process, so its first events are recorded.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FtkError } from "../base/index.js";

/** A command started held; release() lets it exec, wait() gives its exit status. */
export interface HeldCommand {
  readonly pid: number;
  /** Pids of helper processes (the lock holder) to keep out of the trace. */
  readonly helperPids: number[];
  release(): Promise<void>;
  /** Resolves with the exit status, 128+N for a death by signal N. */
  wait(): Promise<number>;
  /** Sends a signal if the command is still running. */
  kill(signal: NodeJS.Signals): void;
  /** True once the command has exited. */
  readonly exited: boolean;
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
};

function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal !== null ? (SIGNALS[signal] ?? 1) : 1);
}

function onceExit(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(exitStatus(child.exitCode, child.signalCode));
    else child.once("exit", (code, signal) => resolve(exitStatus(code, signal)));
  });
}

/** Starts `argv` held (see the file comment; flock execs argv[0] with a PATH search, as typed); stdio is inherited unless "ignore". */
export async function startHeldCommand(
  flockPath: string,
  argv: readonly string[],
  stdio: "inherit" | "ignore" = "inherit",
  user?: { uid: number; gid: number },
): Promise<HeldCommand> {
  const dir = mkdtempSync(join(tmpdir(), "ftk-hold-"));
  const lock = join(dir, "lock");
  writeFileSync(lock, "");
  // --user: the command's flock opens the lock as that user.
  if (user !== undefined) {
    chmodSync(dir, 0o755);
    chmodSync(lock, 0o644);
  }
  const holder = spawn(flockPath, ["--no-fork", "--exclusive", lock, "cat"], { stdio: ["pipe", "pipe", "ignore"] });
  const cleanupHolder = () => {
    holder.stdin?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // `cat` runs (and echoes) only once flock holds the lock.
    await new Promise<void>((resolve, reject) => {
      holder.once("error", reject);
      holder.once("exit", () => reject(new FtkError("cannot start the command: the lock holder exited early")));
      holder.stdout!.once("data", () => resolve());
      holder.stdin!.write("x\n");
    });
  } catch (e) {
    holder.kill("SIGKILL");
    cleanupHolder();
    throw e instanceof FtkError ? e : new FtkError(`cannot start the command: ${(e as Error).message}`, { cause: e });
  }
  holder.removeAllListeners("exit");
  const child = spawn(flockPath, ["--no-fork", "--exclusive", lock, ...argv], {
    stdio,
    ...(user !== undefined ? { uid: user.uid, gid: user.gid } : {}),
  });
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", (e) => resolve(e));
  });
  if (spawned !== undefined || child.pid === undefined) {
    holder.kill("SIGKILL");
    cleanupHolder();
    throw new FtkError(`cannot run '${argv[0]}': ${spawned?.message ?? "no pid"}`, { cause: spawned });
  }
  // The lock file stays until the command is gone: the child may open it only after the release.
  const exit = onceExit(child).then((status) => {
    rmSync(dir, { recursive: true, force: true });
    return status;
  });
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  const holderExit = onceExit(holder);
  return {
    pid: child.pid,
    helperPids: holder.pid !== undefined ? [holder.pid] : [],
    async release() {
      holder.stdin!.end();
      await holderExit;
    },
    wait: () => exit,
    kill(signal) {
      if (!exited) child.kill(signal);
    },
    get exited() {
      return exited;
    },
  };
}

/**
 * record -r: gives this process SCHED_FIFO priority `prio` with reset-on-fork, so the command it starts
 * runs with the normal policy. Throws FtkError with chrt's message when the kernel refuses.
 */
export async function setRealtimePriority(chrtPath: string, prio: number): Promise<void> {
  const child = spawn(chrtPath, ["--fifo", "--reset-on-fork", "--all-tasks", "--pid", String(prio), String(process.pid)], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const status = await onceExit(child);
  if (status !== 0) throw new FtkError(`cannot set real-time priority ${prio} (-r): ${err.trim().split("\n")[0] ?? `chrt exited with ${status}`}`, { code: "chrt" });
}
