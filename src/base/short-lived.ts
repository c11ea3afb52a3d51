// Whether this process is a short-lived command (the ftk CLI) rather than an application that embeds the
// library: only the former may trade steady-state speed for start-up with process-wide V8 settings (issue 11).

let shortLived = false;

/** Marks this process as a short-lived command; the CLI calls it once, before running a command. */
export function markShortLived(): void {
  shortLived = true;
}

/** True once markShortLived() was called. */
export function isShortLived(): boolean {
  return shortLived;
}

/** V8 flags set in this process by setShortLivedFlag(), each as the setting that undoes it. */
const undos: string[] = [];

/**
 * Sets a process-wide V8 flag for a short-lived command (`--liftoff-only`), noting how to undo it: V8
 * rejects a code cache made under other flags, so the CLI's script cache undoes them before it makes one.
 */
export function setShortLivedFlag(setFlags: (flags: string) => void, flag: string, undo: string): void {
  setFlags(flag);
  undos.push(undo);
}

/** The settings that undo the flags set by setShortLivedFlag(), in the order to apply them. */
export function shortLivedFlagUndos(): readonly string[] {
  return [...undos].reverse();
}

/** The large parts of the code that this run used, by name (noteCodePath()). */
const codePaths = new Set<string>();

/**
 * Notes that a short-lived command used a large part of the code that only some runs need (a file
 * version's reader, a decoder, the symbol table): the CLI's script cache is widened by a run that used a
 * part its cache has not seen yet. Names are lowercase letters and digits.
 */
export function noteCodePath(name: string): void {
  if (shortLived) codePaths.add(name);
}

/** The names given to noteCodePath() in this run, sorted. */
export function codePathsUsed(): string[] {
  return [...codePaths].sort();
}
