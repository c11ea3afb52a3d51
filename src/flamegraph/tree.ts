// Folded stacks -> a tree of frames (each node: its total and self weight), the shape the pictures draw.

/** One frame in the tree. */
export interface FlameNode {
  name: string;
  /** Weight of this frame and everything above it. */
  value: number;
  children: FlameNode[];
}

/** Builds the tree under a root named `rootName`; children sorted by name, like flamegraph.pl. */
export function buildFlameTree(folded: ReadonlyMap<string, number>, rootName = "all"): FlameNode {
  const root: FlameNode = { name: rootName, value: 0, children: [] };
  const index = new Map<FlameNode, Map<string, FlameNode>>();
  for (const [stack, w] of folded) {
    root.value += w;
    let node = root;
    for (const name of stack.split(";")) {
      let kids = index.get(node);
      if (kids === undefined) index.set(node, (kids = new Map()));
      let child = kids.get(name);
      if (child === undefined) {
        child = { name, value: 0, children: [] };
        kids.set(name, child);
        node.children.push(child);
      }
      child.value += w;
      node = child;
    }
  }
  const sort = (n: FlameNode): void => {
    n.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of n.children) sort(c);
  };
  sort(root);
  return root;
}
