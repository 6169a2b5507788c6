import type { Connection, MessageType, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FindingStore } from './finding-store.js';
import type { ProjectContext } from './project-context.js';
import type { RevocationBridge } from './revocation-bridge.js';
import type { ServerSettings } from './settings.js';

/** What every feature of the server shares: the connection, open documents, the finding store,
 * settings, the workspace's project and the revocation bridge. Set up in server.ts. */
export interface ServerContext {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  readonly store: FindingStore;
  readonly revocation: RevocationBridge;
  settings: ServerSettings;
  root: string | undefined;
  project: ProjectContext | undefined;
  /** Plain messages are notifications: a request would make some clients block on a prompt. */
  notify(type: MessageType, message: string): void;
}
