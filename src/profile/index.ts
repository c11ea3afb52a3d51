// The per-task profile of `report --profile` (trace-cmd 3.1.6): model/TaskProfile fed by report, and its text.
export { writeProfileReport, type ProfileReportOptions } from "./report-profile.js";
export { ProfileWriter, type ProfileSymbols } from "./profile-text.js";
