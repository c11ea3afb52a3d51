export default ({ F }) => {
  const S = [F("unsigned int cmd_len;\toffset:8;\tsize:4;\tsigned:0;"), F("__data_loc unsigned char[] cmnd;\toffset:12;\tsize:4;\tsigned:0;")];
  const pf = '"cmnd=(%s raw=%s) tail", scsi_trace_parse_cdb(p, __get_dynamic_array(cmnd), REC->cmd_len), __print_hex(__get_dynamic_array(cmnd), REC->cmd_len)';
  const mk = (bytes) => [S, pf, (v, b) => { v.setUint32(8, bytes.length, true); v.setUint32(12, (bytes.length << 16) | 24, true); bytes.forEach((x, i) => (b[24 + i] = x)); }, 64];
  return [
    mk([0x08, 0x1f, 0x12, 0x34, 8, 0]),
    mk([0x28, 0x20, 0x81, 0x02, 0x03, 0x04, 0, 0x01, 0x00, 0]),
    mk([0x41, 0x28, 0, 0, 0, 9, 0, 0, 1, 0]),
    mk([0xaa, 0, 0xff, 0, 0, 1, 0x80, 0, 0, 2, 0, 0]),
    mk([0x88, 0, 0, 0, 0, 1, 0xf0, 0, 0, 1, 0, 0, 0, 8, 0, 0]),
    mk([0x42, 0, 0, 0, 0, 0, 0, 0, 0x18, 0]),
    mk([0x42, 0, 0, 0, 0, 0, 0, 0, 0x02, 0]),
    mk([0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 32, 0, 0]),
    mk([0x9e, 0x11, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 32, 0, 0]),
    mk([0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0, 0x0d, 0x28, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 1, 0]),
    mk([0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0, 0x0e, 0x28, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 1, 0]),
    mk([0x12, 0, 0, 0, 36, 0]),
  ];
};
