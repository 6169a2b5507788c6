import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { createTokenwardServer, type ServerOptions } from './server.js';

export interface StdioServerOptions extends ServerOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * Serves LSP over stdin/stdout until the client sends `exit` or closes the pipe. Resolves with the
 * exit code (0 after a proper shutdown request).
 */
export function startStdioServer(options: StdioServerOptions = {}): Promise<number> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(input), new StreamMessageWriter(output));
  const server = createTokenwardServer(connection, options);
  let shutdown = false;
  connection.onShutdown(() => {
    shutdown = true;
  });
  return new Promise((resolveExit) => {
    const finish = (code: number) => {
      server.dispose();
      resolveExit(code);
    };
    connection.onExit(() => finish(shutdown ? 0 : 1));
    input.once('end', () => finish(shutdown ? 0 : 1));
    input.once('close', () => finish(shutdown ? 0 : 1));
    connection.listen();
  });
}
