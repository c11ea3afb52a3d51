// What every subcommand receives: its streams and environment, so tests can run the CLI in-process.
import type { Writable } from "node:stream";
import type { FlagSpec } from "./args.js";

/** Streams and environment for one CLI invocation. */
export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM; long operations stop cleanly when it fires. */
  signal: AbortSignal;
  /** True when --debug was given: print stacks for errors. */
  debug: boolean;
}

/** A subcommand: parses its own argv and returns the exit status. */
export interface Command {
  /** One line for `ftk --help`. */
  summary: string;
  /** The flags `run` accepts, by long name, as parsed (shell completion reads them; keep one table for both). */
  flags?: Record<string, FlagSpec>;
  run(argv: string[], ctx: CliContext): Promise<number>;
  /** Commands that run a program: where its argv begins in `argv` (what follows is the program's, `--debug` included). */
  commandStart?(argv: readonly string[]): number;
}
