// The libtraceevent kmem plugin (ring-buffer-and-events.md §8.2): `(<func>+0x<off>) ` before the print fmt.
import { fieldU64, type PluginFactory } from "./plugin.js";

/** kmem:kfree, kmalloc, kmalloc_node, kmem_cache_alloc, kmem_cache_alloc_node, kmem_cache_free. */
export const kmemPlugin: PluginFactory = (ev, env) => {
  const callSite = fieldU64(ev, "call_site", env.info);
  const { kallsyms } = env;
  return {
    pretty: true,
    render: (rec) => {
      if (!callSite) return "";
      const v = callSite(rec);
      const start = kallsyms.startOf(v);
      if (start === undefined) return "";
      return "(" + kallsyms.nameOf(v)! + "+0x" + BigInt.asUintN(32, v - start).toString(16) + ") ";
    },
  };
};
