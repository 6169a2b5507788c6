/**
 * Runs the built CLI on a real pseudo-terminal (util-linux `script`), answering its prompts, so
 * the "ask before the first request on a terminal" path is tested as a person meets it.
 */
import { spawn } from 'node:child_process';
import { BIN } from '../helpers/cli.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TerminalRun {
  code: number | null;
  output: string;
  /** Prompts seen, in order. */
  prompts: string[];
}

/** `answers` are typed, one per `[y/N]` prompt, in order; a prompt beyond them gets "n". */
export function runInTerminal(args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; answers: string[]; timeoutMs?: number }): Promise<TerminalRun> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: o.cwd, env: { ...process.env, NO_COLOR: '1', ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const prompts: string[] = [];
    const answers = [...o.answers];
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      const asked = output.split('[y/N]').length - 1;
      while (prompts.length < asked) {
        const before = output.split('[y/N]')[prompts.length]!;
        prompts.push(before.slice(before.lastIndexOf('\n') + 1).trim());
        child.stdin.write(`${answers.shift() ?? 'n'}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.replace(/\r\n/g, '\n'), prompts });
    });
  });
}
