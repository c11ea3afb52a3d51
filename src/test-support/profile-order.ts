// Test-only: `report --profile` text up to trace-cmd 3.1.6's hash order. Its output is not the same from
// one run to the next in two places, both from hash tables whose keys include heap addresses (ASLR):
// events of one task with the same event id and total time come out in any order, and --by-comm groups
// are sorted by the bytes of their struct's address (compare_groups() compares the pointers as strings).
// hashOrderCanonical() sorts only those runs of blocks; everything else must stay byte for byte.

/** Splits a profile into its task/group sections and each section's event blocks (event line + stack tree). */
export function hashOrderCanonical(text: string): string {
  const lines = text.split("\n");
  const sections: string[][] = [[]];
  for (const l of lines) {
    if (l.startsWith("task: ") || l.startsWith("group: ")) {
      const prev = sections[sections.length - 1]!;
      const blank = prev.length > 0 && prev[prev.length - 1] === "" ? prev.pop()! : undefined;
      sections.push(blank === undefined ? [l] : [blank, l]);
    } else sections[sections.length - 1]!.push(l);
  }
  // The final newline stays outside the last block.
  const last = sections[sections.length - 1]!;
  const tail = last.length > 0 && last[last.length - 1] === "" ? last.pop()! : undefined;
  const key = (block: string[]): string => {
    const m = /^ {2}Event: ([^:]*):/.exec(block[0]!);
    const t = / Total: (\d+)/.exec(block[0]!);
    return `${m?.[1] ?? block[0]}\u0000${t?.[1] ?? "0"}`;
  };
  const canon = sections.map((sec) => {
    const head: string[] = [];
    const blocks: string[][] = [];
    for (const l of sec) {
      if (l.startsWith("  Event: ")) blocks.push([l]);
      else if (blocks.length > 0) blocks[blocks.length - 1]!.push(l);
      else head.push(l);
    }
    const out = [...head];
    for (let i = 0; i < blocks.length; ) {
      let j = i;
      while (j < blocks.length && key(blocks[j]!) === key(blocks[i]!)) j++;
      out.push(...blocks.slice(i, j).map((b) => b.join("\n")).sort());
      i = j;
    }
    return out.join("\n");
  });
  const isGroup = (s: string): boolean => /^\n?group: /.test(s);
  const groups = canon.filter(isGroup).sort();
  let g = 0;
  return canon.map((s) => (isGroup(s) ? groups[g++]! : s)).join("\n") + (tail !== undefined ? "\n" : "");
}

