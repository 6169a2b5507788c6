import { githubReporter } from './github.js';
import { gitlabReporter } from './gitlab.js';
import { jsonlReporter, jsonReporter } from './json.js';
import type { Reporter } from './report.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';

export const REPORTERS: Record<string, Reporter> = {
  text: textReporter,
  json: jsonReporter,
  jsonl: jsonlReporter,
  sarif: sarifReporter,
  github: githubReporter,
  gitlab: gitlabReporter,
};

export * from './report.js';
