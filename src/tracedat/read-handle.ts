// An open trace.dat file for reading, over node:fs's callbacks. node:fs/promises would do, but requiring
// it loads Node's streams and readline (~3 ms of a small report's start here, issue 11).
import { close, fstat, open, read, type Stats } from "node:fs";

/** What the trace.dat reader needs of an open file (a node:fs/promises FileHandle has it too). */
export interface ReadHandle {
  /** The file descriptor; -1 once closed. */
  readonly fd: number;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<Stats>;
  close(): Promise<void>;
}

class FdReadHandle implements ReadHandle {
  constructor(public fd: number) {}

  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return new Promise((resolve, reject) => {
      read(this.fd, buffer, offset, length, position, (e, bytesRead) => (e === null ? resolve({ bytesRead }) : reject(e)));
    });
  }

  stat(): Promise<Stats> {
    return new Promise((resolve, reject) => fstat(this.fd, (e, st) => (e === null ? resolve(st) : reject(e))));
  }

  close(): Promise<void> {
    const fd = this.fd;
    if (fd < 0) return Promise.resolve();
    this.fd = -1;
    return new Promise((resolve, reject) => close(fd, (e) => (e === null || e === undefined ? resolve() : reject(e))));
  }
}

/** Opens `path` read-only; rejects with the errno error as open(2) gave it. */
export function openForReading(path: string): Promise<ReadHandle> {
  return new Promise((resolve, reject) => open(path, "r", (e, fd) => (e === null ? resolve(new FdReadHandle(fd)) : reject(e))));
}
