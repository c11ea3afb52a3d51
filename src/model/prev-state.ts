// sched_switch prev_state -> the letters report prints ("S", "D", "R+"), from the __print_flags table of the
// event's own print fmt: the bit values moved between kernels (4.x arm64 fixture: 1024 is preempted; 6.x: 256).

/** Compiles the state text function of one sched_switch print fmt. */
export function compilePrevState(printFmt: string): (state: number) => string {
  const flags: [bit: number, text: string][] = [];
  const re = /\{\s*(0x[0-9a-fA-F]+|\d+)\s*,\s*"([^"]*)"\s*\}/g;
  for (let m = re.exec(printFmt); m !== null; m = re.exec(printFmt)) flags.push([Number(m[1]), m[2]!]);
  const max = flags.reduce((a, [bit]) => Math.max(a, bit), 0);
  const preempt = max > 0 ? max * 2 : 0;
  const mask = preempt > 0 ? preempt - 1 : 0;
  const cache = new Map<number, string>();
  return (state) => {
    let text = cache.get(state);
    if (text === undefined) {
      const low = state & mask;
      text = low === 0 ? "R" : flags.filter(([bit]) => (low & bit) !== 0).map(([, t]) => t).join("|");
      if (preempt > 0 && (state & preempt) !== 0) text += "+";
      if (cache.size < 4096) cache.set(state, text);
    }
    return text;
  };
}
