// Expected failures: each carries a one-line message for people (what failed, where, what to do).
// Anything else that reaches cli/main.ts is a bug and is reported as an internal error.

/** Base class of every error that ftk expects and reports without a stack trace. */
export class FtkError extends Error {
  /** Short machine-readable code, for example "ENOENT" or "bad-section". */
  readonly code: string;
  /** The file or setting concerned, when there is one. */
  readonly path: string | undefined;
  /** Offset in the file, when the failure is at a known place. */
  readonly fileOffset: number | undefined;
  /** Process exit status the CLI uses for this error. */
  readonly exitCode: number;

  constructor(
    message: string,
    options: { code?: string; path?: string; fileOffset?: number; cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? "error";
    this.path = options.path;
    this.fileOffset = options.fileOffset;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad command-line flags or arguments (exit status 2). */
export class UsageError extends FtkError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { ...options, code: options.code ?? "usage", exitCode: 2 });
  }
}

/** A trace.dat file that cannot be read: names the file, the section and the offset. */
export class TraceFileError extends FtkError {}

/** A tracefs control file that could not be read or written. */
export class TracefsError extends FtkError {}

/** A probe that could not be resolved or created (binary, symbol, fetch-arg). */
export class ProbeError extends FtkError {}

/** True for errors that ftk expects and prints as one line. */
export function isFtkError(e: unknown): e is FtkError {
  return e instanceof FtkError;
}

/** Turns an errno-style Node error into a short phrase for people. */
export function describeErrno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "not permitted (run as root?)";
    case "EBUSY":
      return "in use";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "not a directory";
    case "EINVAL":
      return "invalid argument";
    case "ENODEV":
      return "no such device";
    case "ENOSPC":
      return "no space left on device";
    case "EROFS":
      return "read-only file system";
    default:
      return (e as Error | undefined)?.message ?? String(e);
  }
}
