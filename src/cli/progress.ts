// Progress lines for long runs (export, sql), shown on a TTY stderr only.

/** `N of ~T events (P%)`: the total is estimated from the share of the file's data read. */
export function progressText(records: number, fraction: number): string {
  if (fraction <= 0) return `${records} events`;
  return `${records} of ~${Math.round(records / fraction)} events (${Math.floor(fraction * 100)}%)`;
}
