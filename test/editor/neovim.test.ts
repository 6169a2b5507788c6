/**
 * A real third-party LSP client: headless Neovim (Debian `neovim`, 0.7+) starts
 * `tokenward lsp --stdio`, opens a file with a token, and gets the diagnostic and the code actions.
 * Needs `nvim` on PATH (scripts/setup-test-tools.sh installs it); TOKENWARD_SKIP_EDITOR_E2E=1 opts out.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

const optOut = process.env.TOKENWARD_SKIP_EDITOR_E2E === '1';
const hasNvim = spawnSync('nvim', ['--version'], { stdio: 'ignore' }).status === 0;

const LUA = `
local function run()
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = 'tokenward',
    cmd = { NODE, BIN, 'lsp', '--stdio' },
    root_dir = ROOT,
  })
  vim.lsp.buf_attach_client(buf, id)
  local ok = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    io.stdout:write(string.format('DIAG %d:%d %d %s %s\\n', d.lnum + 1, d.col + 1, d.severity, d.source or '', d.message))
  end
  if not ok then return false end
  local d = vim.diagnostic.get(buf)[1]
  local range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } }
  local lsp_diag = vim.tbl_extend('force', (d.user_data and d.user_data.lsp) or {}, {
    range = range, message = d.message, severity = d.severity, source = d.source,
  })
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    range = range,
    context = { diagnostics = { lsp_diag } },
  }
  local res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000) or {}
  for _, r in pairs(res) do
    if r.err then io.stdout:write('ERROR ' .. vim.inspect(r.err) .. '\\n') end
    for _, a in ipairs(r.result or {}) do io.stdout:write('ACTION ' .. a.title .. '\\n') end
  end
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
    textDocument = vim.lsp.util.make_text_document_params(buf), position = range.start,
  }, 10000) or {}
  for _, r in pairs(hover) do
    if r.result then io.stdout:write('HOVER ' .. r.result.contents.value:gsub('\\n', ' ') .. '\\n') end
  end
  vim.lsp.stop_client(id)
  vim.wait(2000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
  return true
end
local okcall, result = pcall(run)
if not okcall then io.stdout:write('LUAERROR ' .. tostring(result) .. '\\n') end
vim.cmd((okcall and result) and 'qa!' or 'cq')
`;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe.skipIf(optOut)('Neovim as the LSP client', () => {
  it('receives the diagnostic, the hover and the code actions', async () => {
    if (!hasNvim) throw new Error('nvim not found: run `bash scripts/setup-test-tools.sh` (or set TOKENWARD_SKIP_EDITOR_E2E=1 to skip editor end-to-end tests)');
    dir = mkdtempSync(join(tmpdir(), 'tw-nvim-'));
    const token = githubToken();
    const file = join(dir, 'deploy.py');
    writeFileSync(file, `import requests\nGITHUB_TOKEN = "${token}"\n`);
    const lua = join(dir, 'test.lua');
    writeFileSync(lua, `local NODE, BIN, ROOT = ${JSON.stringify(process.execPath)}, ${JSON.stringify(BIN)}, ${JSON.stringify(dir)}\n${LUA}`);
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('nvim', ['--headless', '-n', '-u', 'NONE', '-i', 'NONE', '-c', `luafile ${lua}`, file], { cwd: dir, env: { ...process.env, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stdout: out, stderr: err });
      });
    });
    expect(stdout, `nvim stderr: ${stderr}`).toMatch(/^DIAG 2:17 1 tokenward GitHub personal access token \(classic\): ghp_\*\*\*\*…/m);
    expect(stdout).toContain(token.slice(-4));
    expect(stdout).not.toContain(token);
    const actions = stdout.split('\n').filter((l) => l.startsWith('ACTION ')).map((l) => l.slice(7));
    expect(actions).toEqual(['Revoke GitHub token', 'Replace with environment variable GITHUB_TOKEN', 'Ignore this line (tokenward:allow)', 'Add to baseline']);
    expect(stdout).toMatch(/^HOVER .*github-pat-classic.*How to rotate/m);
    expect(code).toBe(0);
  });
});

/** The README's Lua blocks for Neovim, by their first line (`-- init.lua (Neovim 0.8+)`, …). */
function readmeSnippets(): Map<string, string> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const out = new Map<string, string>();
  for (const m of readme.matchAll(/```lua\n(-- init\.lua \(Neovim ([^)]+)\)\n[\s\S]*?)```/g)) out.set(m[2]!, m[1]!);
  return out;
}

describe.skipIf(optOut)("the README's Neovim configuration", () => {
  it('the snippet for the installed Neovim attaches tokenward to an opened file; the other one at least compiles', async () => {
    if (!hasNvim) throw new Error('nvim not found: run `bash scripts/setup-test-tools.sh` (or set TOKENWARD_SKIP_EDITOR_E2E=1 to skip editor end-to-end tests)');
    const snippets = readmeSnippets();
    expect([...snippets.keys()].sort()).toEqual(['0.7', '0.8+']);
    const version = /NVIM v(\d+)\.(\d+)/.exec(spawnSync('nvim', ['--version'], { encoding: 'utf8' }).stdout)!;
    const modern = Number(version[1]) > 0 || Number(version[2]) >= 8;
    dir = mkdtempSync(join(tmpdir(), 'tw-nvim-readme-'));
    // A project that installed tokenward: npx --no-install finds node_modules/.bin/tokenward.
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    symlinkSync(BIN, join(dir, 'node_modules/.bin/tokenward'));
    const token = githubToken();
    writeFileSync(join(dir, 'app.env'), `GITHUB_TOKEN=${token}\n`);
    for (const [name, lua] of snippets) writeFileSync(join(dir, `init-${name}.lua`), lua);
    const used = modern ? '0.8+' : '0.7';
    const other = modern ? '0.7' : '0.8+';
    writeFileSync(
      join(dir, 'check.lua'),
      `local ok = vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 100)
for _, d in ipairs(vim.diagnostic.get(0)) do io.stdout:write(string.format('DIAG %d:%d %s %s\\n', d.lnum + 1, d.col + 1, d.source or '', d.message)) end
local f = assert(io.open(${JSON.stringify(join(dir, `init-${other}.lua`))}))
local chunk, err = loadstring(f:read('*a'))
f:close()
io.stdout:write(chunk and 'OTHER compiles\\n' or ('OTHER ' .. tostring(err) .. '\\n'))
vim.cmd(ok and 'qa!' or 'cq')
`,
    );
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('nvim', ['--headless', '-n', '-i', 'NONE', '-u', join(dir!, `init-${used}.lua`), '-c', `luafile ${join(dir!, 'check.lua')}`, 'app.env'], {
        cwd: dir,
        env: { ...process.env, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stdout: out, stderr: err });
      });
    });
    expect(stdout, `nvim stderr: ${stderr}`).toMatch(/^DIAG 1:14 tokenward GitHub personal access token \(classic\)/m);
    expect(stdout).not.toContain(token);
    expect(stdout).toContain('OTHER compiles');
    expect(code).toBe(0);
  });
});
