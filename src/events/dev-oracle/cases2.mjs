const u32 = (v, o, x) => v.setUint32(o, x >>> 0, true);
const str = (b, o, s) => { for (let i = 0; i < s.length; i++) b[o + i] = s.charCodeAt(i); b[o + s.length] = 0; };
export default ({ A, B, C, P, F }) => {
  const DL = (name, off, t = "char") => F(`__data_loc ${t}[] ${name};\toffset:${off};\tsize:4;\tsigned:0;`);
  return [
  [[DL("name", 8)], '"%s|%10s|%-6s|", __get_str(name), __get_str(name), __get_str(name)', (v, b) => { u32(v, 8, (5 << 16) | 40); str(b, 40, "eth0"); }],
  [[DL("name", 8)], '"[%s]", __get_str(name)', (v, b) => { u32(v, 8, (0 << 16) | 40); str(b, 40, "xx"); }],
  [[F("__rel_loc char[] r;\toffset:8;\tsize:4;\tsigned:0;")], '"%s", __get_rel_str(r)', (v, b) => { u32(v, 8, (3 << 16) | 20); str(b, 32, "hi"); }],
  [[DL("buf", 8, "u8")], '"%s|%s|%d", __print_hex(__get_dynamic_array(buf), __get_dynamic_array_len(buf)), __print_hex_str(__get_dynamic_array(buf), 2), __get_dynamic_array_len(buf)', (v, b) => { u32(v, 8, (3 << 16) | 40); b[40] = 0xde; b[41] = 0xad; b[42] = 1; }],
  [[F("u32 arr[3];\toffset:8;\tsize:12;\tsigned:0;")], '"%s %s %u", __print_array(REC->arr, 3, 4), __print_array(REC->arr, 2, 3), REC->arr[1]', (v) => { u32(v, 8, 1); u32(v, 12, 2); u32(v, 16, 3); }],
  [[DL("mask", 8, "unsigned long")], '"%s", __get_bitmask(mask)', (v) => { u32(v, 8, (8 << 16) | 40); u32(v, 40, 0xf0f); }],
  [[DL("mask", 8, "unsigned long")], '"%s", __get_cpumask(mask)', (v) => { u32(v, 8, (8 << 16) | 40); u32(v, 40, 0xf0f | (1 << 13)); }],
  [[F("u8 mac[6];\toffset:8;\tsize:6;\tsigned:0;"), F("u8 ip[4];\toffset:16;\tsize:4;\tsigned:0;")], '"%pM %pMR %pMF %pm %pI4 %pi4 %pI4h %pI4l", REC->mac, REC->mac, REC->mac, REC->mac, REC->ip, REC->ip, REC->ip, REC->ip', (v, b) => { [0, 0x11, 0x22, 0x33, 0x44, 0x55].forEach((x, i) => (b[8 + i] = x)); [192, 168, 1, 10].forEach((x, i) => (b[16 + i] = x)); }],
  [[F("u8 a6[16];\toffset:8;\tsize:16;\tsigned:0;")], '"%pI6 %pi6 %pI6c %pU %pUb %pUL", REC->a6, REC->a6, REC->a6, REC->a6, REC->a6, REC->a6', (v, b) => { b[8] = 0x20; b[9] = 0x01; b[10] = 0x0d; b[11] = 0xb8; b[23] = 1; }],
  [[F("u8 a6[16];\toffset:8;\tsize:16;\tsigned:0;")], '"%pI6c", REC->a6', (v, b) => { b[18] = 0xff; b[19] = 0xff; b[20] = 10; b[21] = 1; b[22] = 2; b[23] = 3; }],
  [[DL("raw", 8, "u8"), A], '"%*ph|%*phC|%*phD|%*phN", 2, __get_dynamic_array(raw), 3, __get_dynamic_array(raw), 9, __get_dynamic_array(raw), 1, __get_dynamic_array(raw)', (v, b) => { u32(v, 8, (3 << 16) | 40); b[40] = 0xde; b[41] = 0xad; b[42] = 0xbe; }],
  [[A, F("u8 mac[4];\toffset:16;\tsize:4;\tsigned:0;")], '"%pM %pI6 %pU", REC->mac, REC->mac, REC->mac', () => {}],
  [[A, B], '"x=%d y=0x%x", REC->a, REC->b', (v) => { u32(v, 8, 3); u32(v, 12, 255); }],
  [[A, F("unsigned long addr;\toffset:16;\tsize:8;\tsigned:0;"), DL("vals", 24, "u32"), F("char name[4];\toffset:28;\tsize:4;\tsigned:0;"), F("short sh;\toffset:32;\tsize:2;\tsigned:1;"), F("char ch;\toffset:34;\tsize:1;\tsigned:1;"), F("long sl;\toffset:36;\tsize:4;\tsigned:1;"), F("void * ptr;\toffset:40;\tsize:8;\tsigned:0;")], '"%s", __print_u32_array(REC->vals)', (v, b) => { u32(v, 8, -3); v.setBigUint64(16, 0x1cfde0n, true); u32(v, 24, (4 << 16) | 48); u32(v, 48, 2); str(b, 28, "ab"); v.setInt16(32, -2, true); v.setInt8(34, -1); u32(v, 36, -1); v.setBigUint64(40, 0xdeadn, true); }],
  [[F("char name[4];\toffset:8;\tsize:4;\tsigned:0;"), A], '"%s", __print_u32_array(REC->a)', (v, b) => { b[8] = 1; b[9] = 65; }],
  [[F("char name[4];\toffset:8;\tsize:4;\tsigned:0;"), A], '"%s", __print_u32_array(REC->a)', (v, b) => { b[8] = 0; b[9] = 65; }],
  [[A, P], '"%d %s %d", REC->a, REC->p, REC->a', (v) => { u32(v, 8, 3); }],
  [[A], '"%d %s", REC->a, REC->a', (v) => { u32(v, 8, 0x434241); }],
  [[F("u16 dlen;\toffset:8;\tsize:2;\tsigned:0;"), F("__data_loc char[] old;\toffset:10;\tsize:2;\tsigned:0;")], '"%s", __get_str(old)', (v, b) => { v.setUint16(10, 20, true); str(b, 20, "oldstr"); }],
  [[A], '"%s", __print_flags(REC->a & 0x3, "|", { 0x1, "X" })', (v) => { u32(v, 8, 7); }],
  [[DL("buf", 8, "u8")], '"%d", __get_dynamic_array(buf)[1]', (v, b) => { u32(v, 8, (3 << 16) | 40); b[41] = 9; }],
  [[A], '"%d", __le16_to_cpup(REC->a)', () => {}],
  [[A], '"%s %d", jiffies_to_msecs(REC->a), xen_hypercall_name(REC->a)', (v) => u32(v, 8, 2)],
  [[A], '"%s|%s", xen_hypercall_name(REC->a), jbd2_dev_to_name(REC->a)', (v) => u32(v, 8, 2)],
  ];
};
