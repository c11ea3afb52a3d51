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
