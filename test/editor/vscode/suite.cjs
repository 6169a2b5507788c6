// Runs inside the VS Code extension host (extensionTestsPath): the Tokenward extension is loaded
// from the unpacked .vsix. The outer test (vscode-e2e.test.ts) clicks the confirmation in the
// browser and takes the screenshots. CommonJS because the extension host require()s it.
const assert = require('node:assert');
const { appendFileSync, existsSync } = require('node:fs');
const vscode = require('vscode');

function log(line) {
  if (process.env.TOKENWARD_E2E_LOG) appendFileSync(process.env.TOKENWARD_E2E_LOG, `${line}\n`);
}

async function waitFor(check, what, ms = 60000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run() {
  try {
    const ext = vscode.extensions.getExtension('tokenward.tokenward-vscode');
    assert.ok(ext, 'the Tokenward extension is installed');
    const api = await ext.activate();
    log(`ACTIVATED server=${JSON.stringify(api.client.initializeResult && api.client.initializeResult.serverInfo)}`);
    const folder = vscode.workspace.workspaceFolders[0].uri;
    const uri = vscode.Uri.joinPath(folder, 'deploy.js');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    const ours = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'tokenward');
    const diag = await waitFor(() => ours()[0], 'the tokenward diagnostic');
    log(`DIAGNOSTIC ${diag.range.start.line + 1}:${diag.range.start.character + 1} ${diag.message}`);
    assert.strictEqual(diag.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diag.message, /^GitHub personal access token \(classic\): ghp_\*\*\*\*…/);

    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, diag.range);
    log(`ACTIONS ${actions.map((a) => a.title).join(' | ')}`);
    const revoke = actions.find((a) => a.title === 'Revoke GitHub token');
    assert.ok(revoke && revoke.command, 'a "Revoke GitHub token" code action');
    for (const t of ['Replace with environment variable GITHUB_TOKEN', 'Ignore this line (tokenward:allow)', 'Add to baseline']) {
      assert.ok(actions.some((a) => a.title === t), `code action "${t}"`);
    }
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['tokenward.scanWorkspace', 'tokenward.revokeAtCursor', 'tokenward.openAuditLog']) assert.ok(commands.includes(c), `command ${c}`);

    // The server asks for confirmation (window/showMessageRequest); the browser side clicks "Revoke".
    log('REVOKING');
    const pending = vscode.commands.executeCommand(revoke.command.command, ...(revoke.command.arguments || []));
    // Toasts are not shown while an extension test runs: open the notification center, where the
    // confirmation (with its buttons) is listed.
    await new Promise((r) => setTimeout(r, 1000));
    await vscode.commands.executeCommand('notifications.showList');
    const result = await pending;
    log(`RESULT ${JSON.stringify(result)}`);
    assert.strictEqual(result && result.status, 'revoked');
    const hint = await waitFor(() => ours().find((d) => d.severity === vscode.DiagnosticSeverity.Hint && d.message.startsWith('revoked:')), 'the "revoked" hint');
    log(`REVOKED ${hint.message}`);

    const audit = await vscode.commands.executeCommand('tokenward.openAuditLog');
    log(`AUDIT ${audit}`);
    assert.ok(typeof audit === 'string' && audit.endsWith('audit.jsonl'));

    // Show the revoked finding's hover for the screenshot, then let the outer test take it.
    const editor = await vscode.window.showTextDocument(doc);
    const at = hint.range.start.translate(0, 4);
    editor.selection = new vscode.Selection(at, at);
    await vscode.commands.executeCommand('editor.action.showHover');
    await new Promise((r) => setTimeout(r, 1500));
    log('SCREENSHOT');
    if (process.env.TOKENWARD_E2E_SHOT_DONE) await waitFor(() => existsSync(process.env.TOKENWARD_E2E_SHOT_DONE), 'the screenshot', 20000).catch(() => undefined);
    log('PASS');
  } catch (e) {
    log(`FAIL ${e && e.stack ? e.stack : e}`);
    throw e;
  }
}

module.exports = { run };
