// Sub-buffer layout taken from the `header_page` text (../shared/docs/trace-dat-format.md §8.1,
// ring-buffer-and-events.md §1): where the page timestamp, the commit word and the event data are.

/** Where the parts of one ring-buffer sub-buffer ("page") are, and how it is encoded. */
export interface PageLayout {
  /** Byte order of every word in the page (the file's byte order). */
  littleEndian: boolean;
  /** Offset of the u64 page timestamp (0 on every known kernel). */
  timestampOffset: number;
  /** Offset of the commit word (8). */
  commitOffset: number;
  /** Size of the commit word = the kernel's `long` size. */
  commitSize: 4 | 8;
  /** Offset of the first event record (16 on 64-bit kernels, 12 on 32-bit ones). */
  dataOffset: number;
  /** Size of the whole sub-buffer: `data.offset + data.size`. */
  pageSize: number;
}

/** Fallback values used when `header_page` is empty or lacks a field. */
export interface PageLayoutDefaults {
  /** Kernel long size to assume for `commit` (default 8). */
  longSize?: 4 | 8;
  /** Sub-buffer size to assume when `data` is missing (default 4096). */
  pageSize?: number;
}

const FIELD_RE = /field:[^;]*?([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[[^\]]*\])?;\s*offset:\s*(\d+);\s*size:\s*(\d+);/g;

/**
 * Parses the `header_page` text into a PageLayout; fields the text lacks take the usual values
 * (timestamp 0, commit 8 with the default long size, data right after commit).
 * @example parseHeaderPage(file.headerPage, true).dataOffset // 16 on x86-64
 */
export function parseHeaderPage(text: string, littleEndian: boolean, defaults: PageLayoutDefaults = {}): PageLayout {
  const fields = new Map<string, { offset: number; size: number }>();
  for (const m of text.matchAll(FIELD_RE)) {
    fields.set(m[1]!, { offset: Number(m[2]), size: Number(m[3]) });
  }
  const ts = fields.get("timestamp");
  const commit = fields.get("commit");
  const data = fields.get("data");
  const commitSize: 4 | 8 = commit?.size === 4 ? 4 : commit?.size === 8 ? 8 : (defaults.longSize ?? 8);
  const commitOffset = commit?.offset ?? 8;
  const dataOffset = data?.offset ?? commitOffset + commitSize;
  const pageSize = data !== undefined ? data.offset + data.size : (defaults.pageSize ?? 4096);
  return { littleEndian, timestampOffset: ts?.offset ?? 0, commitOffset, commitSize, dataOffset, pageSize };
}
