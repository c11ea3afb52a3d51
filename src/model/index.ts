// The model: facts paired from the event stream, read by flame graphs and exports.
export { readStacks, trimKernelFrames, type StackKind, type WeightedStack, type StackSamples, type ReadStacksOptions } from "./stacks.js";
export { readGraphStacks, type GraphStacks } from "./graph-stacks.js";
