// Tokens of the print-fmt language (ring-buffer-and-events.md §5.1): items, quoted strings (escapes kept,
// adjacent double-quoted strings concatenated), delimiters ( ) , and operators.

export type TokenKind = "item" | "dquote" | "squote" | "op" | "delim" | "newline" | "none";

/** A scanner over one print fmt; state lives in the closure. */
export interface Scanner {
  /** Next token, skipping spaces (newlines are tokens). */
  read(): TokenKind;
  /** Next token, skipping spaces and newlines. */
  readItem(): TokenKind;
  /** Text of the last token. */
  readonly text: string;
}

function charKind(c: string): TokenKind | "space" {
  if (c === "\n") return "newline";
  if (c === " " || c === "\t" || c === "\r" || c === "\v" || c === "\f") return "space";
  if (/[A-Za-z0-9_]/.test(c)) return "item";
  if (c === "'") return "squote";
  if (c === '"') return "dquote";
  const code = c.charCodeAt(0);
  if (code < 0x20 || code > 0x7e) return "none";
  if (c === "(" || c === ")" || c === ",") return "delim";
  return "op";
}

function isPrint(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return code >= 0x20 && code <= 0x7e;
}

/** Creates a scanner over `src` (the text after `print fmt:`). */
export function createScanner(src: string): Scanner {
  let pos = 0;
  let text = "";

  function scanOne(): TokenKind | "space" {
    if (pos >= src.length) {
      text = "";
      return "none";
    }
    const c = src[pos++]!;
    const kind = charKind(c);
    if (kind === "none") {
      text = "";
      return "none";
    }
    if (kind === "newline" || kind === "delim") {
      text = c;
      return kind;
    }
    if (kind === "op") {
      let t = c;
      const next = src[pos];
      const testEqual = (): void => {
        if (src[pos] === "=") t += src[pos++];
      };
      if (c === "-" && next === ">") {
        t += src[pos++];
      } else if (c === "-" || c === "+" || c === "|" || c === "&" || c === ">" || c === "<") {
        if (next !== c) testEqual();
        else {
          t += src[pos++];
          if (c === ">" || c === "<") testEqual();
        }
      } else if (c === "!" || c === "=") {
        testEqual();
      }
      text = t;
      return "op";
    }
    if (kind === "dquote" || kind === "squote") {
      const quote = c;
      let out = "";
      for (;;) {
        let last = "";
        let ch: string | undefined;
        for (;;) {
          ch = src[pos++];
          if (ch === undefined) break;
          if (!((ch !== quote && isPrint(ch)) || last === "\\" || ch === "\n")) break;
          out += ch;
          last = ch;
        }
        if (ch === undefined) {
          text = out;
          return "none";
        }
        if (ch !== quote) {
          // A non-printable character ends the string (corrupt input).
          text = out;
          return kind;
        }
        if (kind !== "dquote") break;
        let look = pos;
        while (look < src.length && /\s/.test(src[look]!)) look++;
        if (src[look] === '"') {
          pos = look + 1;
          continue;
        }
        break;
      }
      text = out;
      return kind;
    }
    let t = c;
    while (pos < src.length && charKind(src[pos]!) === kind) t += src[pos++];
    text = t;
    return kind;
  }

  function read(): TokenKind {
    for (;;) {
      const k = scanOne();
      if (k !== "space") return k;
    }
  }
  function readItem(): TokenKind {
    for (;;) {
      const k = scanOne();
      if (k !== "space" && k !== "newline") return k;
    }
  }
  return {
    read,
    readItem,
    get text() {
      return text;
    },
  };
}
