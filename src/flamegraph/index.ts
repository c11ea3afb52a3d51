// Flame graphs from the model's stacks: folded text, svg/html pictures, speedscope JSON.
export { foldStacks, foldedText, foldedFrameName, type FoldOptions } from "./folded.js";
export { buildFlameTree, type FlameNode } from "./tree.js";
export { flameGraphSvg, flameGraphHtml, type PictureOptions } from "./picture.js";
export { speedscopeJson } from "./speedscope.js";
export { topFrames, topFramesText, type FrameWeight, type TopFrames, type TopTextOptions } from "./top.js";
