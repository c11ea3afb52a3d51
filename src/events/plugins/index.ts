// Output overrides applied by trace-cmd 3.1.6 + libtraceevent 1.7.1 by default, keyed "system:event".
import { futexPlugin } from "./futex.js";
import { functionPlugin, funcRepeatsPlugin, kernelStackPlugin, rawDataPlugin } from "./function.js";
import { hrtimerExpirePlugin, hrtimerStartPlugin } from "./hrtimer.js";
import { kmemPlugin } from "./kmem.js";
import { kvmEmulateInsnPlugin, kvmEntryPlugin, kvmExitPlugin, kvmMmuGetPagePlugin, kvmMmuRolePlugin, kvmNestedVmexitInjectPlugin, kvmNestedVmexitPlugin } from "./kvm.js";
import { bssInfoChangedPlugin } from "./mac80211.js";
import type { PluginFactory } from "./plugin.js";
import { schedSwitchPlugin, schedWakeupPlugin } from "./sched-switch.js";
import { tlbFlushPlugin } from "./tlb.js";

export type { PluginEnv, PluginFactory, PluginHandler } from "./plugin.js";

/** The default plugin set (§8.2), keyed "system:event". */
export const PLUGINS: ReadonlyMap<string, PluginFactory> = new Map<string, PluginFactory>([
  ["ftrace:function", functionPlugin],
  ["ftrace:kernel_stack", kernelStackPlugin],
  ["ftrace:raw_data", rawDataPlugin],
  ["ftrace:func_repeats", funcRepeatsPlugin],
  ["sched:sched_switch", schedSwitchPlugin],
  ["sched:sched_wakeup", schedWakeupPlugin],
  ["sched:sched_wakeup_new", schedWakeupPlugin],
  ["kmem:kfree", kmemPlugin],
  ["kmem:kmalloc", kmemPlugin],
  ["kmem:kmalloc_node", kmemPlugin],
  ["kmem:kmem_cache_alloc", kmemPlugin],
  ["kmem:kmem_cache_alloc_node", kmemPlugin],
  ["kmem:kmem_cache_free", kmemPlugin],
  ["timer:hrtimer_start", hrtimerStartPlugin],
  ["timer:hrtimer_expire_entry", hrtimerExpirePlugin],
  ["tlb:tlb_flush", tlbFlushPlugin],
  ["syscalls:sys_enter_futex", futexPlugin],
  ["mac80211:drv_bss_info_changed", bssInfoChangedPlugin],
  ["kvm:kvm_exit", kvmExitPlugin],
  ["kvm:kvm_entry", kvmEntryPlugin],
  ["kvm:kvm_emulate_insn", kvmEmulateInsnPlugin],
  ["kvm:kvm_nested_vmexit", kvmNestedVmexitPlugin],
  ["kvm:kvm_nested_vmexit_inject", kvmNestedVmexitInjectPlugin],
  ["kvmmmu:kvm_mmu_get_page", kvmMmuGetPagePlugin],
  ["kvmmmu:kvm_mmu_sync_page", kvmMmuRolePlugin],
  ["kvmmmu:kvm_mmu_unsync_page", kvmMmuRolePlugin],
  ["kvmmmu:kvm_mmu_zap_page", kvmMmuRolePlugin],
  ["kvmmmu:kvm_mmu_prepare_zap_page", kvmMmuRolePlugin],
]);
export { PLUGIN_OPTIONS, type PluginOption } from "./options.js";
