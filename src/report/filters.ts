// The -F filter language for report (-F, -T, --pid, --comm): imported by report.ts only when a filter is
// given, so that a report without one loads none of it (issue 11: start-up).
export { compileEventFilter, filterTestLines, pidFilterText } from "../events/index.js";
