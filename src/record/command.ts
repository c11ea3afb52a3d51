// Starts the traced command held before exec (tracefs-control.md §6): the child is `/bin/sh -c SCRIPT ftk
// ENV... CMD ARGS...`, where the fixed script waits for a line on fd 3 and then execs "$@" with fd 3 closed.
// The shell never parses the command: it arrives as positional parameters. Meanwhile we know the child's pid
// and write the pid filters; the release lets it exec the command in the same process, so its first
// events are recorded, and the command inherits only the stdio it was given.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { realpathSync } from "node:fs";
import type { Writable } from "node:stream";
import { FtkError } from "../base/index.js";

/**
 * Variables a shell sets for its children at start (PWD; busybox also SHLVL and PATH): the launcher puts
 * them back as they were in ftk's environment (passed as `=VALUE`, or `-` when unset), so the command's
 * environment is the user's.
 */
const SHELL_SET = ["PWD", "SHLVL", "PATH"];

/**
 * The launcher: waits on fd 3, restores SHELL_SET, then execs the command (PATH search as typed) without
 * fd 3. The line goes to a variable of its own (not `_`, which the user's shell may have exported).
 */
export const LAUNCH_SCRIPT = `read -r ftk_launch_release <&3 || exit 1; for v in ${SHELL_SET.join(" ")}; do case $1 in =*) export "$v=\${1#=}";; *) unset "$v";; esac; shift; done; exec "$@" 3<&-`;

/** The launcher's task name (comm) before the exec: what saved_cmdlines may still list for the command. */
export const LAUNCHER_COMM = "sh";

/**
 * The argv the launcher execs. A busybox shell runs its own applets (`ls`, `cat`, ... where they are
 * links to busybox) in-process when named without a '/', so `exec ls` would never exec: no
 * sched_process_exec, and maps taken at exec would miss it. Such a command is given by its path, which
 * busybox's shell execs like any program (busybox still picks the applet by the name).
 */
export function launchArgv(shellPath: string, commandPath: string, argv: readonly string[]): readonly string[] {
  if (argv[0]!.includes("/")) return argv;
  const real = (p: string): string | undefined => {
    try {
      return realpathSync(p);
    } catch {
      return undefined;
    }
  };
  const shell = real(shellPath);
  if (shell === undefined || !shell.endsWith("/busybox") || real(commandPath) !== shell) return argv;
  return [commandPath, ...argv.slice(1)];
}

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

/** Starts `argv` held (see the file comment); stdio is inherited unless "ignore". */
export async function startHeldCommand(
  shellPath: string,
  argv: readonly string[],
  stdio: "inherit" | "ignore" = "inherit",
  user?: { uid: number; gid: number },
): Promise<HeldCommand> {
  const env = SHELL_SET.map((v) => (process.env[v] === undefined ? "-" : `=${process.env[v]}`));
  const child = spawn(shellPath, ["-c", LAUNCH_SCRIPT, "ftk", ...env, ...argv], {
    stdio: [stdio, stdio, stdio, "pipe"],
    ...(user !== undefined ? { uid: user.uid, gid: user.gid } : {}),
  });
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", (e) => resolve(e));
  });
  const gate = child.stdio[3] as Writable | null;
  if (spawned !== undefined || child.pid === undefined || gate === null) {
    child.kill("SIGKILL");
    throw new FtkError(`cannot run '${argv[0]}': ${spawned?.message ?? "no pid"}`, { cause: spawned });
  }
  // Without the line (we died first), the launcher's read fails and the command never runs untraced.
  gate.on("error", () => {});
  const exit = onceExit(child);
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  return {
    pid: child.pid,
    helperPids: [],
    async release() {
      gate.end("go\n");
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
