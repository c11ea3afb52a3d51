// `report --cpu` lists (report-output.md §6): numbers and ranges separated by `,` or `:`, e.g. `0,2-3`.
import { UsageError } from "../base/index.js";

/** Parses a CPU list such as `0,2-3` or `1:4` into CPU numbers; throws UsageError on bad text. */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  let i = 0;
  const number = (): number => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    const start = i;
    while (i < text.length && text[i]! >= "0" && text[i]! <= "9") i++;
    if (i === start) {
      const c = i < text.length ? `invalid character '${text[i]}'` : "missing number";
      throw new UsageError(`${c} in cpu list '${text}': use numbers and ranges like '0,2-3'`);
    }
    return Number(text.slice(start, i));
  };
  do {
    const a = number();
    let b = a;
    if (text[i] === "-") {
      i++;
      b = number();
    }
    if (a > b) throw new UsageError(`bad cpu range '${a}-${b}' in '${text}': the first cpu must not be above the last`);
    if (b - a > 65536) throw new UsageError(`cpu range '${a}-${b}' in '${text}' is too large`);
    for (let c = a; c <= b; c++) cpus.push(c);
    if (text[i] === "," || text[i] === ":") i++;
  } while (i < text.length);
  return cpus;
}
