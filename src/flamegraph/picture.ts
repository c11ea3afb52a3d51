// Flame graph pictures: a self-contained SVG (like flamegraph.pl's, with its script inside) or an HTML
// page holding the same SVG with a search box. The tree travels as JSON; nothing comes from the network.
import type { FlameNode } from "./tree.js";
import { PICTURE_SCRIPT } from "./picture-script.js";

/** Options for the pictures. */
export interface PictureOptions {
  title: string;
  /** "ns" shows times; "count" shows samples. */
  unit: "ns" | "count";
  /** Frames under this share of the total are left out (default 1e-5); their weight stays in the parent. */
  minShare?: number;
}

const WIDTH = 1200;
const ROW = 17;

type Packed = [number, number, Packed[]?];

function pack(root: FlameNode, minValue: number): { names: string[]; tree: Packed; depth: number } {
  const names: string[] = [];
  const ids = new Map<string, number>();
  let depth = 0;
  const walk = (n: FlameNode, d: number): Packed => {
    let id = ids.get(n.name);
    if (id === undefined) {
      id = names.length;
      names.push(n.name);
      ids.set(n.name, id);
    }
    if (d > depth) depth = d;
    const kids = n.children.filter((c) => c.value >= minValue).map((c) => walk(c, d + 1));
    return kids.length > 0 ? [id, n.value, kids] : [id, n.value];
  };
  return { names, tree: walk(root, 0), depth };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function scriptWithData(root: FlameNode, o: PictureOptions): { script: string; height: number } {
  const { names, tree, depth } = pack(root, root.value * (o.minShare ?? 1e-5));
  const height = (depth + 1) * ROW + 34 + 40;
  // "<" and ">" escaped: the JSON can end neither a <script> element nor a CDATA section.
  const json = JSON.stringify({ names, tree, unit: o.unit, width: WIDTH, row: ROW, height })
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e");
  return { script: PICTURE_SCRIPT.replace("__FTK_DATA__", () => json), height };
}

function svgBody(title: string, height: number, controls: boolean): string {
  return [
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#f8f8f4"/>`,
    `<text id="title" x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="17">${escapeXml(title)}</text>`,
    controls ? `<text id="reset" x="10" y="24" class="control">Reset Zoom</text>` : "",
    controls ? `<text id="search" x="${WIDTH - 10}" y="24" text-anchor="end" class="control">Search</text>` : "",
    `<text id="details" x="10" y="${height - 12}"> </text>`,
    `<text id="matched" x="${WIDTH - 10}" y="${height - 12}" text-anchor="end"></text>`,
    `<g id="frames"></g>`,
  ].filter((l) => l !== "").join("\n");
}

const SVG_STYLE = `text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }
.frame text { pointer-events: none; }
.frame:hover rect { stroke: #000; stroke-width: 0.5; }
.control { cursor: pointer; fill: #346; }`;

/** A standalone interactive SVG (open it in a browser). */
export function flameGraphSvg(root: FlameNode, o: PictureOptions): string {
  const { script, height } = scriptWithData(root, o);
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg id="fg" version="1.1" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg">
<style>${SVG_STYLE}</style>
${svgBody(o.title, height, true)}
<script type="text/ecmascript"><![CDATA[
${script}
]]></script>
</svg>
`;
}

/** An HTML page with the SVG, a search box and a reset button. */
export function flameGraphHtml(root: FlameNode, o: PictureOptions): string {
  const { script, height } = scriptWithData(root, o);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>${escapeXml(o.title)}</title>
<style>
body { margin: 8px; font-family: Verdana, sans-serif; font-size: 13px; }
#bar { margin-bottom: 4px; }
${SVG_STYLE}
</style>
</head>
<body>
<div id="bar"><button id="reset" type="button">Reset zoom</button> <input id="search" type="search" placeholder="Search (regular expression)" size="40"></div>
<svg id="fg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg">
${svgBody(o.title, height, false)}
</svg>
<script>
${script}
</script>
</body>
</html>
`;
}
