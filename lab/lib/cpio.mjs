// Writes a "newc" cpio archive (the initramfs format the kernel unpacks, see the kernel's
// Documentation/driver-api/early-userspace/buffer-format.rst) straight from host files, so no
// staging tree, no cpio binary and no busybox self-link pitfalls.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** Streams entries into an initramfs file; add parents before children, then call close(). */
export class CpioWriter {
  #fd;
  #ino = 1;
  #pos = 0;

  /** Opens (truncates) `path` for writing. */
  constructor(path) {
    this.#fd = openSync(path, "w");
  }

  /** Adds a directory. */
  dir(name, mode = 0o755) {
    this.#entry(name, S_IFDIR | mode, new Uint8Array(0), 2);
  }

  /** Adds a regular file with the given bytes (string: utf-8). */
  file(name, data, mode = 0o644) {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    this.#entry(name, S_IFREG | mode, bytes, 1);
  }

  /** Adds a regular file copied from the host path `src` (symlinks followed). */
  copy(name, src, mode) {
    this.file(name, readFileSync(src), mode);
  }

  /** Adds a symbolic link `name` -> `target`. */
  symlink(name, target) {
    this.#entry(name, S_IFLNK | 0o777, Buffer.from(target, "utf8"), 1);
  }

  /** Writes the trailer and closes the file. */
  close() {
    this.#entry("TRAILER!!!", 0, new Uint8Array(0), 1, 0);
    closeSync(this.#fd);
  }

  #entry(name, mode, data, nlink, ino = this.#ino++) {
    const nameBytes = Buffer.from(name.replace(/^\/+/, "") + "\0", "utf8");
    const fields = [ino, mode, 0, 0, nlink, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0];
    const header = "070701" + fields.map((v) => v.toString(16).padStart(8, "0")).join("");
    this.#write(Buffer.from(header, "latin1"));
    this.#write(nameBytes);
    this.#pad();
    this.#write(data);
    this.#pad();
  }

  #write(bytes) {
    let off = 0;
    while (off < bytes.length) off += writeSync(this.#fd, bytes, off, bytes.length - off);
    this.#pos += bytes.length;
  }

  #pad() {
    const n = (4 - (this.#pos % 4)) % 4;
    if (n > 0) this.#write(new Uint8Array(n));
  }
}
