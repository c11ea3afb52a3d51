// Folded stacks -> speedscope's file format (https://www.speedscope.app/file-format-schema.json), one
// "sampled" profile whose samples are the distinct stacks and whose weights are their totals.

/** The speedscope JSON document for `folded`. */
export function speedscopeJson(folded: ReadonlyMap<string, number>, options: { name: string; unit: "nanoseconds" | "none" }): string {
  const frames: { name: string }[] = [];
  const frameIndex = new Map<string, number>();
  const samples: number[][] = [];
  const weights: number[] = [];
  let total = 0;
  for (const key of [...folded.keys()].sort()) {
    const stack: number[] = [];
    for (const name of key.split(";")) {
      let i = frameIndex.get(name);
      if (i === undefined) {
        i = frames.length;
        frames.push({ name });
        frameIndex.set(name, i);
      }
      stack.push(i);
    }
    const w = folded.get(key)!;
    samples.push(stack);
    weights.push(w);
    total += w;
  }
  return JSON.stringify({
    $schema: "https://www.speedscope.app/file-format-schema.json",
    shared: { frames },
    profiles: [{ type: "sampled", name: options.name, unit: options.unit, startValue: 0, endValue: total, samples, weights }],
    name: options.name,
    activeProfileIndex: 0,
    exporter: "ftk",
  });
}
