export default ({ F }) => {
  const SA = [F("u8 sa[28];\toffset:8;\tsize:28;\tsigned:0;"), F("__data_loc u8[] dsa;\toffset:36;\tsize:4;\tsigned:0;"), F("u8 small[8];\toffset:40;\tsize:8;\tsigned:0;")];
  const v4 = (b, o) => { b[o] = 2; b[o + 2] = 0x1f; b[o + 3] = 0x90; b[o + 4] = 10; b[o + 5] = 0; b[o + 6] = 0; b[o + 7] = 1; };
  const v6 = (b, o) => { b[o] = 10; b[o + 2] = 0; b[o + 3] = 80; b[o + 8] = 0x20; b[o + 9] = 1; b[o + 10] = 0x0d; b[o + 11] = 0xb8; b[o + 23] = 1; };
  return [
    [SA, '"%pIS %pISp %piS %pISpc %pISc %pIS %pISh", REC->sa, REC->sa, REC->sa, REC->sa, REC->sa, __get_dynamic_array(dsa), REC->sa', (v, b) => { v4(b, 8); v.setUint32(36, (16 << 16) | 56, true); v6(b, 56); }, 96],
    [SA, '"%pIS|%pISpc|%piS|%pISc", REC->sa, REC->sa, REC->sa, REC->small', (v, b) => { v6(b, 8); b[40] = 2; }, 96],
  ];
};
