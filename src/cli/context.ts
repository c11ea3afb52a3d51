// What every subcommand receives: its streams and environment, so tests can run the CLI in-process.
import type { Writable } from "node:stream";
import type { TextSink } from "../base/index.js";
import type { FlagSpec } from "./args.js";

/** Streams and environment for one CLI invocation. */
export interface CliContext {
  stdout: Writable;
  /**
   * Standard output for text (TextOutput, help): stdout itself, or where stdout is a file or a pipe, a
   * writer on its descriptor that costs nothing to make (process.stdout's stream costs ~3-5 ms).
   */
  stdoutSink: TextSink;
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
