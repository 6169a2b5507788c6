export { main } from './main.js';
export { COMMANDS, type CommandEntry } from './commands/index.js';
export type { Command, Io } from './cli-util.js';
export { REPORTERS, type Report, type Reporter, type ReportOptions } from './reporters/index.js';
