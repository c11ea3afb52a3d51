// The plugin options reports take with -O (the names and defaults of trace-cmd 3.1.6's plugins, as
// `trace-cmd options` lists them); the descriptions are ours.

/** One plugin option: `-O plugin:option[=value]`. */
export interface PluginOption {
  plugin: string;
  option: string;
  description: string;
  /** Its value when -O does not set it. */
  defaultOn: boolean;
}

/** Every plugin option, grouped by plugin in trace-cmd's order. */
export const PLUGIN_OPTIONS: readonly PluginOption[] = [
  { plugin: "ftrace", option: "parent", description: "Show the caller of each traced function", defaultOn: false },
  { plugin: "ftrace", option: "indent", description: "Indent function events by their call depth, worked out from their callers", defaultOn: true },
  { plugin: "ftrace", option: "offset", description: "Show the offset into the function after its name", defaultOn: false },
  { plugin: "fgraph", option: "tailprint", description: "Name the function again on the line of its exit (function_graph)", defaultOn: false },
  { plugin: "fgraph", option: "depth", description: "Show the call depth of each function_graph entry", defaultOn: false },
];
