const u32 = (v, o, x) => v.setUint32(o, x >>> 0, true);
const u64 = (v, o, x) => v.setBigUint64(o, BigInt.asUintN(64, x), true);
const str = (b, o, s) => { for (let i = 0; i < s.length; i++) b[o + i] = s.charCodeAt(i); b[o + s.length] = 0; };
export default ({ F }) => {
  const SW = [F("char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;"), F("pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;"), F("int prev_prio;\toffset:28;\tsize:4;\tsigned:1;"), F("long prev_state;\toffset:32;\tsize:8;\tsigned:1;"), F("char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;"), F("pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;"), F("int next_prio;\toffset:60;\tsize:4;\tsigned:1;")];
  const swFill = (pc, pp, st, nc, np) => (v, b) => { str(b, 8, pc); u32(v, 24, pp); u32(v, 28, 120); u64(v, 32, BigInt(st)); str(b, 40, nc); u32(v, 56, np); u32(v, 60, 100); };
  const WK = [F("char comm[16];\toffset:8;\tsize:16;\tsigned:0;"), F("pid_t pid;\toffset:24;\tsize:4;\tsigned:1;"), F("int prio;\toffset:28;\tsize:4;\tsigned:1;"), F("int target_cpu;\toffset:32;\tsize:4;\tsigned:1;")];
  const FN = [F("unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;"), F("unsigned long parent_ip;\toffset:16;\tsize:8;\tsigned:0;")];
  const KS = [F("int size;\toffset:8;\tsize:4;\tsigned:1;"), F("unsigned long caller[8];\toffset:16;\tsize:64;\tsigned:0;")];
  const BP = [F("unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;"), F("const char * fmt;\toffset:16;\tsize:8;\tsigned:0;"), F("u32 buf[];\toffset:24;\tsize:0;\tsigned:0;")];
  const KM = [F("unsigned long call_site;\toffset:8;\tsize:8;\tsigned:0;"), F("const void * ptr;\toffset:16;\tsize:8;\tsigned:0;")];
  const HS = [F("void * hrtimer;\toffset:8;\tsize:8;\tsigned:0;"), F("void * function;\toffset:16;\tsize:8;\tsigned:0;"), F("s64 expires;\toffset:24;\tsize:8;\tsigned:1;"), F("s64 softexpires;\toffset:32;\tsize:8;\tsigned:1;")];
  const HE = [F("void * hrtimer;\toffset:8;\tsize:8;\tsigned:0;"), F("s64 now;\toffset:16;\tsize:8;\tsigned:1;"), F("void * function;\toffset:24;\tsize:8;\tsigned:0;")];
  const TLB = [F("int reason;\toffset:8;\tsize:4;\tsigned:1;"), F("unsigned long pages;\toffset:16;\tsize:8;\tsigned:0;")];
  const FX = ["int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;", "u32 * uaddr;\toffset:16;\tsize:8;\tsigned:0;", "int op;\toffset:24;\tsize:8;\tsigned:0;", "u32 val;\toffset:32;\tsize:8;\tsigned:0;", "const struct __kernel_timespec * utime;\toffset:40;\tsize:8;\tsigned:0;", "u32 * uaddr2;\toffset:48;\tsize:8;\tsigned:0;", "u32 val3;\toffset:56;\tsize:8;\tsigned:0;"].map(F);
  const RD = [F("unsigned int id;\toffset:8;\tsize:4;\tsigned:0;"), F("char buf[];\toffset:12;\tsize:0;\tsigned:1;")];
  const PR = [F("unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;"), F("char buf[];\toffset:16;\tsize:0;\tsigned:1;")];
  const BPUTS = [F("unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;"), F("const char * str;\toffset:16;\tsize:8;\tsigned:0;")];
  return [
    [SW, '"prev_comm=%s prev_pid=%d", REC->prev_comm, REC->prev_pid', swFill("bash", 1234, 1, "sleep", 2000), 64, "sched", "sched_switch"],
    [WK, '"comm=%s pid=%d", REC->comm, REC->pid', (v, b) => { str(b, 8, "kworker/0:1"); u32(v, 24, 11); u32(v, 28, 120); u32(v, 32, 0); }, 64, "sched", "sched_wakeup"],
    [FN, '" %ps <-- %ps", (void *)REC->ip, (void *)REC->parent_ip', (v) => { u64(v, 8, 0xffffffff81001100n); u64(v, 16, 0xffffffff81001000n); }, 64, "ftrace", "function"],
    [KS, '"\\t=> %ps\\n", (void *)REC->caller[0]', (v) => { u32(v, 8, 3); u64(v, 16, 0xffffffff81002033n); u64(v, 24, 0xffffffff99999999n); u64(v, 32, 0xffffffff81001010n); u64(v, 40, -1n); }, 72, "ftrace", "kernel_stack"],
    [BP, '"%ps: %s", (void *)REC->ip, REC->fmt', (v, b) => { u64(v, 8, 0xffffffff81001000n); u64(v, 16, 0xffffffff82000100n); u32(v, 24, -42); str(b, 28, "hello"); }, 64, "ftrace", "bprint"],
    [BPUTS, '"%ps: %s", (void *)REC->ip, REC->str', (v) => { u64(v, 8, 0xffffffff81001100n); u64(v, 16, 0xffffffff82000000n); }, 64, "ftrace", "bputs"],
    [PR, '"%ps: %s", (void *)REC->ip, REC->buf', (v, b) => { u64(v, 8, 0xffffffff81001100n); str(b, 16, "hello marker\n"); }, 64, "ftrace", "print"],
    [RD, '"id:%04x %08x", REC->id, (int)REC->buf[0]', (v, b) => { u32(v, 8, 0x1234); b[12] = 0xab; b[13] = 1; }, 24, "ftrace", "raw_data"],
    [KM, '"call_site=%pS ptr=%p", (void *)REC->call_site, REC->ptr', (v) => { u64(v, 8, 0xffffffff8100102an); u64(v, 16, 0n); }, 64, "kmem", "kfree"],
    [HS, '"hrtimer=%p", REC->hrtimer', (v) => { u64(v, 8, 0xffff888000001000n); u64(v, 16, 0xffffffff81002000n); u64(v, 24, 5000000n); u64(v, 32, 4000000n); }, 64, "timer", "hrtimer_start"],
    [HE, '"hrtimer=%p", REC->hrtimer', (v) => { u64(v, 8, 0xffff888000001000n); u64(v, 16, 77n); u64(v, 24, 0xffffffff81002010n); }, 64, "timer", "hrtimer_expire_entry"],
    [TLB, '"pages:%ld reason:%d", REC->pages, REC->reason', (v) => { u32(v, 8, 1); u64(v, 16, 3n); }, 64, "tlb", "tlb_flush"],
    [FX, '"uaddr: 0x%08lx", ((unsigned long)(REC->uaddr))', (v) => { u64(v, 16, 0x7ffd1000n); u64(v, 24, 128n + 9n); u64(v, 32, 1n); u64(v, 40, 0x1000n); u64(v, 48, 0n); u64(v, 56, 0xffffffffn); }, 64, "syscalls", "sys_enter_futex"],
    [BP, '"%ps: %s", (void *)REC->ip, REC->fmt', (v, b) => { u64(v, 8, 0xffffffff81001000n); u64(v, 16, 0xffffffff82000200n); u32(v, 24, 5); u32(v, 28, 7); str(b, 32, "str"); u64(v, 40, 0xffffffff81001105n); u64(v, 48, 0x1234n); u64(v, 56, 0xabcdefn); u64(v, 64, 99n); u32(v, 72, 0x10001); u32(v, 76, 66); str(b, 80, "MACSTR"); }, 96, "ftrace", "bprint"],
    [BP, '"%ps: %s", (void *)REC->ip, REC->fmt', (v, b) => { u64(v, 8, 0xffffffff81001000n); u64(v, 16, 0xffffffff82000300n); u32(v, 24, 4); }, 64, "ftrace", "bprint"],
    [BP, '"%ps: %s", (void *)REC->ip, REC->fmt', (v, b) => { u64(v, 8, 0xffffffff81001000n); u64(v, 16, 0xffffffff82000999n); }, 64, "ftrace", "bprint"],
  ];
};
