// Tokens of the `-F` filter expression, split the way libtraceevent 1.7.1 splits them
// (report-output.md §7.1): items are runs of [A-Za-z0-9_], operators take at most one following
// character of the same kind or '=', quotes are dropped but backslashes are kept, and adjacent
// double-quoted strings are joined.

/** What a token is: an identifier or number, a "..." string, a '...' string, an operator, a delimiter, the end. */
export type FilterTokenKind = "item" | "string" | "char" | "op" | "delim" | "end";

/** A scanner over one filter expression; the current token is read through the getters. */
export interface FilterScanner {
  /** Moves to the next token and returns its kind. */
  scan(): FilterTokenKind;
  /** The current token's kind (as last returned by scan()). */
  readonly kind: FilterTokenKind;
  /** The current token's text (strings without their quotes). */
  readonly value: string;
  /** Offset of the current token's first character in the text given to the scanner. */
  readonly pos: number;
  /** Kind and text of the token after the current one, without moving. */
  lookAhead(): { kind: FilterTokenKind; value: string };
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isItemChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/**
 * Creates a scanner over `text` from offset `from`. Positions are offsets in `text`; bad input
 * (an unterminated string, a control character) goes to `fail`, which throws.
 */
export function createFilterScanner(text: string, from: number, fail: (reason: string, pos: number) => never): FilterScanner {
  let at = from;
  let kind: FilterTokenKind = "end";
  let value = "";
  let start = 0;

  function readOp(): string {
    const c = text[at++]!;
    const next = text[at];
    if (c === "-" && next === ">") {
      at++;
      return "->";
    }
    switch (c) {
      case "-":
      case "+":
      case "|":
      case "&":
      case ">":
      case "<":
        if (next === c) {
          at++;
          if ((c === ">" || c === "<") && text[at] === "=") {
            at++;
            return c + c + "=";
          }
          return c + c;
        }
        if (next === "=") {
          at++;
          return c + "=";
        }
        return c;
      case "!":
      case "=":
        if (next === "=") {
          at++;
          return c + "=";
        }
        // libtraceevent's filter reader glues a following '~' to '=' and '!' (regex match).
        if (next === "~") {
          at++;
          return c + "~";
        }
        return c;
      default:
        return c;
    }
  }

  function readQuoted(quote: number): string {
    let out = "";
    for (;;) {
      const begin = at + 1;
      let i = begin;
      // A backslash keeps the next character (and itself) in the text; only an unescaped quote ends it.
      while (i < text.length && text.charCodeAt(i) !== quote) {
        const c = text.charCodeAt(i);
        if (!isPrint(c) && c !== 0x0a) fail("unexpected control character in string", i);
        i += c === 0x5c ? 2 : 1;
      }
      if (i >= text.length) fail("unterminated string", at);
      out += text.slice(begin, i);
      at = i + 1;
      if (quote !== 0x22) return out;
      // "a" "b" is one string "ab", as in C.
      let j = at;
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== quote) return out;
      at = j;
    }
  }

  function next(): void {
    while (at < text.length && isSpace(text.charCodeAt(at))) at++;
    start = at;
    if (at >= text.length) {
      kind = "end";
      value = "";
      return;
    }
    const c = text.charCodeAt(at);
    if (isItemChar(c)) {
      while (at < text.length && isItemChar(text.charCodeAt(at))) at++;
      kind = "item";
      value = text.slice(start, at);
    } else if (c === 0x22 || c === 0x27) {
      value = readQuoted(c);
      kind = c === 0x22 ? "string" : "char";
    } else if (c === 0x28 || c === 0x29 || c === 0x2c) {
      at++;
      kind = "delim";
      value = text[start]!;
    } else if (isPrint(c)) {
      value = readOp();
      kind = "op";
    } else {
      fail(`unexpected character '\\u${c.toString(16).padStart(4, "0")}'`, at);
    }
  }

  return {
    scan() {
      next();
      return kind;
    },
    get kind() {
      return kind;
    },
    get value() {
      return value;
    },
    get pos() {
      return start;
    },
    lookAhead() {
      const saved = { at, kind, value, start };
      next();
      const result = { kind, value };
      ({ at, kind, value, start } = saved);
      return result;
    },
  };
}
