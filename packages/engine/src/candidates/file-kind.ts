/**
 * What kind of file a chunk comes from, by its path: it decides what an unquoted value means
 * (`password: RESET_TOKEN` is a reference in code, a value in YAML) and how much a finding in it
 * is worth (a value in a test fixture or in documentation is less likely live).
 */

export type FileKind = 'code' | 'config' | 'shell' | 'docs' | 'other';

const CODE = /\.(?:[cm]?[jt]sx?|py|pyx|java|kt|kts|scala|sc|groovy|go|rb|php|cs|fs|vb|swift|m|mm|c|cc|cpp|cxx|h|hpp|rs|ex|exs|erl|dart|lua|pl|pm|r|jl|clj|cljs|vue|svelte|sql)$/i;
const CONFIG = /(?:\.(?:ya?ml|json|jsonc|json5|toml|ini|cfg|conf|config|cnf|properties|env|envrc|xml|plist|tf|tfvars|hcl|j2|jinja2?|tpl|tmpl|template|example|sample|dist|gradle|sbt|pom|csproj|props|targets|npmrc|pypirc|netrc|pgpass|settings|travis|editorconfig|manifest|service|rules|cf|docker-compose)|(?:^|\/)(?:\.env[\w.-]*|[\w.-]*\.env|dockerfile|makefile|vagrantfile|procfile|gemfile|rakefile|jenkinsfile)(?:\.[\w-]+)?)$/i;
const SHELL = /(?:\.(?:sh|bash|zsh|ksh|fish|bats|bat|cmd|ps1|psm1)|(?:^|\/)(?:[\w.-]*rc|[\w-]*history))$/i;
const DOCS = /\.(?:md|markdown|mdx|rst|txt|adoc|asciidoc|textile|html?|org|wiki|ipynb|rdoc|pod)$/i;

export function fileKindOf(path: string): FileKind {
  if (CODE.test(path)) return 'code';
  if (SHELL.test(path)) return 'shell';
  if (DOCS.test(path)) return 'docs';
  if (CONFIG.test(path)) return 'config';
  return 'other';
}

/** Tests, fixtures, examples, samples, mocks, docs: a value there is more often made up. */
const TEST_PATH = /(?:^|[/_.-])(?:tests?|spec|specs|__tests__|testdata|test_data|fixtures?|mocks?|examples?|samples?|demos?|docs?|documentation|tutorials?|stubs?|fakes?)(?:[/_.-]|$)/i;

export const isTestPath = (path: string): boolean => TEST_PATH.test(path);
