// trace-cmd's hash of a pid, whose order and collisions its report output follows.
/**
 * trace-cmd's trace_hash() of a pid: --profile --by-comm walks its task table in this order, and -w keys
 * its wait table by this value alone (two pids with one hash share a wait).
 */
export function traceHash(val: number): number {
  let hash = 12546869;
  hash = (hash + (val & 0xffff)) >>> 0;
  const tmp = ((val >>> 16) ^ hash) >>> 0;
  hash = ((hash << 16) ^ tmp) >>> 0;
  hash = (hash + (hash >>> 11)) >>> 0;
  hash = (hash ^ (hash << 3)) >>> 0;
  hash = (hash + (hash >>> 5)) >>> 0;
  hash = (hash ^ (hash << 4)) >>> 0;
  hash = (hash + (hash >>> 17)) >>> 0;
  hash = (hash ^ (hash << 25)) >>> 0;
  hash = (hash + (hash >>> 6)) >>> 0;
  return hash;
}
