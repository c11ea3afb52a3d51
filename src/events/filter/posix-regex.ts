// POSIX basic regular expressions (glibc regcomp without REG_EXTENDED, with its GNU escapes)
// translated to a JS RegExp. `-F` event names and `=~`/`!~` patterns are compiled this way by
// libtraceevent 1.7.1 (report-output.md §7.1), so `sched.*` works and `a+` means "a+" literally.

/** Why a pattern could not be translated; the caller turns it into a UsageError. */
export class PosixRegexError extends Error {}

const CLASSES: Record<string, string> = {
  alpha: "A-Za-z",
  digit: "0-9",
  alnum: "0-9A-Za-z",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\v\\f\\r",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  print: " -~",
  graph: "!-~",
  cntrl: "\\x00-\\x1f\\x7f",
  xdigit: "0-9A-Fa-f",
};

function lit(ch: string): string {
  const c = ch.charCodeAt(0);
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f) return ch;
  return c < 0x100 ? "\\x" + c.toString(16).padStart(2, "0") : "\\u" + c.toString(16).padStart(4, "0");
}

/** Translates one bracket expression starting after its '['; returns the JS class and the index after ']'. */
function bracket(p: string, i: number): { cls: string; next: number } {
  let out = "[";
  if (p[i] === "^") {
    out += "^";
    i++;
  }
  let first = true;
  for (;;) {
    if (i >= p.length) throw new PosixRegexError("unmatched '['");
    const c = p[i]!;
    if (c === "]" && !first) return { cls: out + "]", next: i + 1 };
    first = false;
    if (c === "[" && (p[i + 1] === ":" || p[i + 1] === "." || p[i + 1] === "=")) {
      const kind = p[i + 1]!;
      const end = p.indexOf(kind + "]", i + 2);
      if (end < 0) throw new PosixRegexError(`unmatched '[${kind}'`);
      const name = p.slice(i + 2, end);
      if (kind === ":") {
        const set = CLASSES[name];
        if (set === undefined) throw new PosixRegexError(`unknown character class '[:${name}:]'`);
        out += set;
      } else {
        if (name.length !== 1) throw new PosixRegexError(`unsupported collating element '${name}'`);
        out += lit(name);
      }
      i = end + 2;
      continue;
    }
    // A range a-z; '-' first or last is literal. Backslash is an ordinary character here.
    if (p[i + 1] === "-" && p[i + 2] !== undefined && p[i + 2] !== "]") {
      const hi = p[i + 2]!;
      if (hi.charCodeAt(0) < c.charCodeAt(0)) throw new PosixRegexError(`invalid range '${c}-${hi}'`);
      out += lit(c) + "-" + lit(hi);
      i += 3;
      continue;
    }
    out += lit(c);
    i++;
  }
}

/**
 * Compiles a POSIX basic regular expression; `ignoreCase` is REG_ICASE. Throws PosixRegexError
 * with a short reason when glibc would refuse the pattern.
 */
export function compilePosixBasicRegex(pattern: string, ignoreCase: boolean): RegExp {
  const p = pattern;
  let out = "";
  // Where the last atom starts in `out` (-1: none yet, so '*' is literal), and whether it already has a quantifier.
  let atomAt = -1;
  let quantified = false;
  // Open groups: the index in `out` where each starts.
  const groups: number[] = [];
  let groupCount = 0;
  // At the start of the pattern, a group or an alternative: '^' anchors and '*' is literal.
  let atStart = true;

  const quantify = (q: string): void => {
    if (atomAt < 0) throw new PosixRegexError(`'${q}' has nothing to repeat`);
    if (quantified) out = out.slice(0, atomAt) + "(?:" + out.slice(atomAt) + ")";
    out += q;
    quantified = true;
  };
  const atom = (text: string): void => {
    atomAt = out.length;
    out += text;
    quantified = false;
    atStart = false;
  };

  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    if (c === "\\") {
      const e = p[i + 1];
      if (e === undefined) throw new PosixRegexError("trailing backslash");
      i += 2;
      switch (e) {
        case "(":
          groups.push(out.length);
          groupCount++;
          out += "(";
          atomAt = -1;
          atStart = true;
          break;
        case ")": {
          const at = groups.pop();
          if (at === undefined) throw new PosixRegexError("unmatched '\\)'");
          out += ")";
          atomAt = at;
          quantified = false;
          atStart = false;
          break;
        }
        case "|":
          out += "|";
          atomAt = -1;
          atStart = true;
          break;
        case "{": {
          const end = p.indexOf("\\}", i);
          if (end < 0) throw new PosixRegexError("unmatched '\\{'");
          const body = p.slice(i, end);
          const m = /^(\d*)(,(\d*))?$/.exec(body);
          if (!m || (m[1] === "" && m[2] === undefined)) throw new PosixRegexError(`invalid interval '\\{${body}\\}'`);
          const lo = m[1] === "" ? "0" : m[1]!;
          if (m[3] !== undefined && m[3] !== "" && Number(m[3]) < Number(lo)) {
            throw new PosixRegexError(`invalid interval '\\{${body}\\}'`);
          }
          quantify(m[2] === undefined ? `{${lo}}` : `{${lo},${m[3] ?? ""}}`);
          i = end + 2;
          break;
        }
        case "+":
        case "?":
          if (atomAt < 0) atom(lit(e));
          else quantify(e);
          break;
        case "<":
          out += "\\b(?=\\w)";
          break;
        case ">":
          out += "\\b(?<=\\w)";
          break;
        case "b":
        case "B":
          out += "\\" + e;
          break;
        case "`":
          out += "^";
          break;
        case "'":
          out += "$";
          break;
        case "w":
        case "W":
        case "s":
        case "S":
          atom("\\" + e);
          break;
        default:
          if (e >= "1" && e <= "9") {
            if (Number(e) > groupCount) throw new PosixRegexError(`invalid back reference '\\${e}'`);
            atom("\\" + e);
          } else {
            atom(lit(e));
          }
      }
      continue;
    }
    i++;
    switch (c) {
      case "^":
        if (atStart) out += "^";
        else atom(lit(c));
        break;
      case "$": {
        const rest = p.slice(i);
        if (rest === "" || rest.startsWith("\\)") || rest.startsWith("\\|")) out += "$";
        else atom(lit(c));
        break;
      }
      case "*":
        if (atomAt < 0) atom(lit(c));
        else quantify("*");
        break;
      case ".":
        atom(".");
        break;
      case "[": {
        const b = bracket(p, i);
        atom(b.cls);
        i = b.next;
        break;
      }
      default:
        atom(lit(c));
    }
  }
  if (groups.length > 0) throw new PosixRegexError("unmatched '\\('");
  try {
    return new RegExp(out, ignoreCase ? "is" : "s");
  } catch (e) {
    throw new PosixRegexError(e instanceof Error ? e.message : String(e));
  }
}
