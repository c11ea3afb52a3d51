// The libtraceevent kvm plugin (ring-buffer-and-events.md §8.2), as built without a disassembler:
// kvm_exit/kvm_entry/kvm_emulate_insn/kvm_nested_vmexit(_inject) and the kvmmmu page-role events.
import type { RawRecord } from "../../ringbuf/index.js";
import { hex2, hexHL } from "../printfmt/c-format.js";
import { fieldU64, ownField, type PluginFactory, type PluginHandler } from "./plugin.js";

const VMX: Record<number, string> = {
  0: "EXCEPTION_NMI", 1: "EXTERNAL_INTERRUPT", 2: "TRIPLE_FAULT", 7: "PENDING_INTERRUPT", 8: "NMI_WINDOW", 9: "TASK_SWITCH",
  10: "CPUID", 12: "HLT", 13: "INVD", 14: "INVLPG", 15: "RDPMC", 16: "RDTSC", 18: "VMCALL", 19: "VMCLEAR", 20: "VMLAUNCH",
  21: "VMPTRLD", 22: "VMPTRST", 23: "VMREAD", 24: "VMRESUME", 25: "VMWRITE", 26: "VMOFF", 27: "VMON", 28: "CR_ACCESS",
  29: "DR_ACCESS", 30: "IO_INSTRUCTION", 31: "MSR_READ", 32: "MSR_WRITE", 36: "MWAIT_INSTRUCTION", 39: "MONITOR_INSTRUCTION",
  40: "PAUSE_INSTRUCTION", 41: "MCE_DURING_VMENTRY", 43: "TPR_BELOW_THRESHOLD", 44: "APIC_ACCESS", 45: "EOI_INDUCED",
  48: "EPT_VIOLATION", 49: "EPT_MISCONFIG", 50: "INVEPT", 52: "PREEMPTION_TIMER", 54: "WBINVD", 55: "XSETBV", 56: "APIC_WRITE",
  58: "INVPCID", 62: "PML_FULL", 63: "XSAVES", 64: "XRSTORS",
};

const SVM: Record<number, string> = (() => {
  const t: Record<number, string> = { 0x0: "EXIT_READ_CR0", 0x3: "EXIT_READ_CR3", 0x4: "EXIT_READ_CR4", 0x8: "EXIT_READ_CR8", 0x10: "EXIT_WRITE_CR0", 0x13: "EXIT_WRITE_CR3", 0x14: "EXIT_WRITE_CR4", 0x18: "EXIT_WRITE_CR8" };
  for (let i = 0; i < 8; i++) {
    t[0x20 + i] = "EXIT_READ_DR" + i;
    t[0x30 + i] = "EXIT_WRITE_DR" + i;
  }
  const excp: [number, string][] = [[0x40, "DE"], [0x41, "DB"], [0x43, "BP"], [0x44, "OF"], [0x45, "BR"], [0x46, "UD"], [0x47, "NM"], [0x48, "DF"], [0x4a, "TS"], [0x4b, "NP"], [0x4c, "SS"], [0x4d, "GP"], [0x4e, "PF"], [0x50, "MF"], [0x51, "AC"], [0x52, "MC"], [0x53, "XF"]];
  for (const [v, n] of excp) t[v] = "EXIT_EXCP_" + n;
  const rest = ["INTR", "NMI", "SMI", "INIT", "VINTR", "CR0_SEL_WRITE", "IDTR_READ", "GDTR_READ", "LDTR_READ", "TR_READ", "IDTR_WRITE", "GDTR_WRITE", "LDTR_WRITE", "TR_WRITE", "RDTSC", "RDPMC", "PUSHF", "POPF", "CPUID", "RSM", "IRET", "SWINT", "INVD", "PAUSE", "HLT", "INVLPG", "INVLPGA", "IOIO", "MSR", "TASK_SWITCH", "FERR_FREEZE", "SHUTDOWN", "VMRUN", "VMMCALL", "VMLOAD", "VMSAVE", "STGI", "CLGI", "SKINIT", "RDTSCP", "ICEBP", "WBINVD", "MONITOR", "MWAIT", "MWAIT_COND", "XSETBV"];
  rest.forEach((n, i) => (t[0x60 + i] = "EXIT_" + n));
  t[0x400] = "EXIT_NPF";
  t[0x401] = "EXIT_AVIC_INCOMPLETE_IPI";
  t[0x402] = "EXIT_AVIC_UNACCELERATED_ACCESS";
  t[-1] = "EXIT_ERR";
  return t;
})();

type Ev = Parameters<PluginFactory>[0];
type Env = Parameters<PluginFactory>[1];
type U64 = (rec: RawRecord) => bigint;

const hex = (v: bigint): string => hexHL(Number(v >> 32n), Number(v & 0xffffffffn));

/** A handler that prints `<CANT FIND FIELD x>` and falls back to the print fmt when a field is missing. */
function handler(body: (rec: RawRecord, h: PluginHandler) => string): PluginHandler {
  const h: PluginHandler = { pretty: false, render: (rec) => body(rec, h) };
  return h;
}

function exitReason(ev: Ev, env: Env, name: string): ((rec: RawRecord) => string | undefined) {
  const val = fieldU64(ev, name, env.info);
  const isa = fieldU64(ev, "isa", env.info);
  if (!val) return () => undefined;
  return (rec) => {
    const i = isa ? Number(BigInt.asUintN(32, isa(rec))) : 1;
    const table = i === 1 ? VMX : i === 2 ? SVM : undefined;
    if (!table) return "reason UNKNOWN-ISA";
    const v = val(rec);
    const r = table[Number(BigInt.asIntN(32, v))];
    return r !== undefined ? "reason " + r : "reason UNKNOWN (" + v.toString() + ")";
  };
}

function req(ev: Ev, env: Env, name: string): U64 | string {
  return fieldU64(ev, name, env.info) ?? `<CANT FIND FIELD ${name}>`;
}

function numField(ev: Ev, env: Env, fmt: (v: bigint) => string, name: string): (rec: RawRecord) => string {
  const f = fieldU64(ev, name, env.info);
  if (!f) return () => `CAN'T FIND FIELD "${name}"`;
  return (rec) => fmt(f(rec));
}

/** kvm:kvm_exit. */
export const kvmExitPlugin: PluginFactory = (ev, env) => {
  const reason = exitReason(ev, env, "exit_reason");
  const rip = req(ev, env, "guest_rip");
  const i1 = fieldU64(ev, "info1", env.info);
  const i2 = fieldU64(ev, "info2", env.info);
  return handler((rec, h) => {
    const r = reason(rec);
    if (r === undefined) return (h.pretty = true), "<CANT FIND FIELD exit_reason>";
    if (typeof rip === "string") return (h.pretty = true), r + rip;
    let s = r + " rip 0x" + hex(rip(rec));
    if (i1 && i2) s += " info " + hex(i1(rec)) + " " + hex(i2(rec));
    return s;
  });
};

/** kvm:kvm_entry. */
export const kvmEntryPlugin: PluginFactory = (ev, env) => {
  const vcpu = numField(ev, env, (v) => " vcpu " + Number(v & 0xffffffffn), "vcpu_id");
  const rip = req(ev, env, "rip");
  return handler((rec, h) => {
    const s = vcpu(rec);
    if (typeof rip === "string") return (h.pretty = true), s + rip;
    return s + " rip 0x" + hex(rip(rec));
  });
};

/** kvm:kvm_emulate_insn (instruction bytes in hex: no disassembler). */
export const kvmEmulateInsnPlugin: PluginFactory = (ev, env) => {
  const names = ["rip", "csbase", "len", "flags", "failed"];
  const f = names.map((n) => req(ev, env, n));
  const insn = ownField(ev, "insn");
  return handler((rec, h) => {
    for (const x of f) if (typeof x === "string") return (h.pretty = true), x;
    if (!insn) return (h.pretty = true), "<CANT FIND FIELD insn>";
    const [rip, csbase, len, , failed] = f as U64[];
    const n = Number(BigInt.asIntN(32, len!(rec)));
    let bytes = "";
    for (let i = 0; i < n; i++) bytes += (i ? " " : "") + hex2(rec.buf[rec.pos + insn.offset + i] ?? 0);
    return hex(csbase!(rec)) + ":" + hex(rip!(rec)) + ": " + bytes + (failed!(rec) ? " FAIL" : "");
  });
};

function injectText(ev: Ev, env: Env): (rec: RawRecord, h: PluginHandler) => string {
  const reason = exitReason(ev, env, "exit_code");
  const parts = [["exit_info1", " info1 "], ["exit_info2", " info2 "], ["exit_int_info", " int_info "], ["exit_int_info_err", " int_info_err "]].map(([n, label]) => numField(ev, env, (v) => label + hex(v), n!));
  return (rec, h) => {
    const r = reason(rec);
    if (r === undefined) return (h.pretty = true), "<CANT FIND FIELD exit_code>";
    let s = r;
    for (const p of parts) s += p(rec);
    return s;
  };
}

/** kvm:kvm_nested_vmexit_inject. */
export const kvmNestedVmexitInjectPlugin: PluginFactory = (ev, env) => handler(injectText(ev, env));

/** kvm:kvm_nested_vmexit. */
export const kvmNestedVmexitPlugin: PluginFactory = (ev, env) => {
  const rip = req(ev, env, "rip");
  const inject = injectText(ev, env);
  return handler((rec, h) => {
    if (typeof rip === "string") return (h.pretty = true), rip;
    return " rip " + hex(rip(rec)) + inject(rec, h);
  });
};

const ACCESS = ["---", "--x", "w--", "w-x", "-u-", "-ux", "wu-", "wux"];

function roleText(ev: Ev, env: Env): (rec: RawRecord, h: PluginHandler) => string {
  const role = req(ev, env, "role");
  const root = numField(ev, env, (v) => " root " + Number(v & 0xffffffffn) + " ", "root_count");
  const unsync = req(ev, env, "unsync");
  const sameEndian = env.info.littleEndian;
  return (rec, h) => {
    if (typeof role === "string") return (h.pretty = true), role;
    const w = Number(role(rec) & 0xffffffffn);
    let s: string;
    if (sameEndian) {
      const bit = (n: number): boolean => ((w >>> n) & 1) === 1;
      s = `${w & 15} q${(w >>> 5) & 3}${bit(7) ? " direct" : ""} ${ACCESS[(w >>> 8) & 7]}${bit(11) ? " invalid" : ""} ${bit(4) ? "" : "!"}pae ${bit(12) ? "" : "!"}nxe ${bit(13) ? "" : "!"}wp${bit(14) ? " smep" : ""}${bit(15) ? " smap" : ""}${(w >>> 24) !== 0 ? " smm" : ""}`;
    } else s = "WORD: " + w.toString(16).padStart(8, "0");
    s += root(rec);
    if (typeof unsync === "string") return (h.pretty = true), s + unsync;
    // The plugin ends with a NUL character, which ends the printed line text.
    return s + (unsync(rec) ? "unsync" : "sync");
  };
}

/** kvmmmu:kvm_mmu_sync_page, kvm_mmu_unsync_page, kvm_mmu_zap_page, kvm_mmu_prepare_zap_page. */
export const kvmMmuRolePlugin: PluginFactory = (ev, env) => handler(roleText(ev, env));

/** kvmmmu:kvm_mmu_get_page. */
export const kvmMmuGetPagePlugin: PluginFactory = (ev, env) => {
  const created = req(ev, env, "created");
  const gfn = req(ev, env, "gfn");
  const role = roleText(ev, env);
  return handler((rec, h) => {
    if (typeof created === "string") return (h.pretty = true), created;
    let s = (created(rec) ? "new" : "existing") + " ";
    if (typeof gfn === "string") return (h.pretty = true), s + gfn;
    s += "sp gfn " + hex(gfn(rec)) + " ";
    return s + role(rec, h);
  });
};
