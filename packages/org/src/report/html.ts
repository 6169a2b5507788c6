import type { OrgReport } from './build.js';

/**
 * The triage report: one static HTML file (no network, no external script), findings grouped by
 * repository or provider, with age (first commit date), verified status and still-in-HEAD, and
 * filters. It is built from the report JSON, which holds redacted values and fingerprints only;
 * every text is put in the page with textContent, so a repository or file name cannot inject markup.
 */
export function orgReportToHtml(report: OrgReport): string {
  // `<` escaped: the data cannot close its script element.
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Tokenward: leaked secrets across ${report.summary.repositories} repositories</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>Leaked secrets across the organisation</h1>
  <p class="meta" id="meta"></p>
  <div class="cards" id="cards"></div>
</header>
<form class="filters" id="filters" onsubmit="return false">
  <label>Search <input type="search" id="f-text" placeholder="repository, file, rule, fingerprint"></label>
  <label>Provider <select id="f-provider"><option value="">all</option></select></label>
  <label>Repository <select id="f-repo"><option value="">all</option></select></label>
  <label>Verified <select id="f-verified"><option value="">any</option><option value="active">active</option><option value="inactive">inactive</option><option value="unknown">unknown</option><option value="none">not checked</option></select></label>
  <label>Severity <select id="f-severity"><option value="">any</option><option value="critical">critical</option><option value="high">high and above</option><option value="medium">medium and above</option></select></label>
  <label class="check"><input type="checkbox" id="f-head"> still in HEAD only</label>
  <label>Group by <select id="f-group"><option value="repository">repository</option><option value="provider">provider</option></select></label>
</form>
<p class="count" id="count"></p>
<main id="groups"></main>
<section id="failed" class="failed" hidden><h2>Repositories that could not be scanned</h2><ul id="failed-list"></ul></section>
<footer>Values are redacted; fingerprints identify a secret across repositories without revealing it. Revoke a live secret first, then remove it from history.</footer>
<script type="application/json" id="report-data">${data}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const CSS = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --red:#cf222e; --orange:#bc4c00; --green:#1a7f37; --blue:#0969da; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; padding: 24px 32px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0; }
.meta { color: var(--muted); margin: 0 0 16px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 130px; background: var(--bg); }
.card b { display: block; font-size: 22px; }
.card.alert b { color: var(--red); }
.filters { display: flex; gap: 12px; flex-wrap: wrap; align-items: end; padding: 12px; border: 1px solid var(--line); border-radius: 8px; position: sticky; top: 0; background: #fff; z-index: 1; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
.filters label.check { flex-direction: row; align-items: center; gap: 6px; font-size: 14px; color: var(--fg); padding-bottom: 4px; }
.filters input[type=search] { width: 260px; }
input, select { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 6px; }
.count { color: var(--muted); }
section.group { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; overflow: hidden; }
section.group > h2 { background: var(--bg); padding: 8px 12px; border-bottom: 1px solid var(--line); display: flex; justify-content: space-between; }
section.group > h2 small { color: var(--muted); font-weight: normal; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
tr:last-child td { border-bottom: 0; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; border: 1px solid currentColor; white-space: nowrap; }
.sev-critical, .sev-high, .v-active, .head-yes { color: var(--red); }
.sev-medium, .v-unknown { color: var(--orange); }
.sev-low, .v-none, .head-no { color: var(--muted); }
.v-inactive { color: var(--green); }
.where { color: var(--muted); font-size: 12px; }
.failed { border: 1px solid var(--red); border-radius: 8px; padding: 8px 12px; margin: 16px 0; }
.failed li code { color: var(--red); }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
`;

// Runs in the browser: plain ES2017, DOM only, no innerHTML with data.
const SCRIPT = `
(function () {
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, attrs, children) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') n.textContent = attrs[k]; else n.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  };
  var SEV = { low: 0, medium: 1, high: 2, critical: 3 };
  var now = Date.now();
  function age(date) {
    if (!date) return 'unknown';
    var days = Math.floor((now - Date.parse(date)) / 86400000);
    if (days < 1) return 'today';
    if (days < 60) return days + ' d';
    var months = Math.floor(days / 30.44);
    if (months < 24) return months + ' mo';
    return Math.floor(months / 12) + ' y ' + (months % 12) + ' mo';
  }
  function verified(s) { return s.verified ? s.verified.status : 'none'; }
  var repos = {};
  report.repositories.forEach(function (r) { repos[r.id] = r; });

  $('meta').textContent = 'Generated ' + report.generatedAt.replace('T', ' ').slice(0, 16) + ' UTC by Tokenward ' + report.toolVersion + '. Age is counted from the commit that first introduced the secret.';
  var s = report.summary;
  [['Repositories scanned', s.scanned], ['Could not be scanned', s.failed, s.failed > 0], ['Secrets', s.secrets, s.secrets > 0], ['Still in HEAD', s.inHead, s.inHead > 0], ['Verified active', s.active, s.active > 0]].forEach(function (c) {
    $('cards').appendChild(el('div', { class: 'card' + (c[2] ? ' alert' : '') }, [el('b', { text: String(c[1]) }), el('span', { text: c[0] })]));
  });
  var providers = {};
  report.secrets.forEach(function (x) { providers[x.provider] = true; });
  Object.keys(providers).sort().forEach(function (p) { $('f-provider').appendChild(el('option', { value: p, text: p })); });
  report.repositories.forEach(function (r) { $('f-repo').appendChild(el('option', { value: r.id, text: r.name })); });

  var failed = report.repositories.filter(function (r) { return r.status === 'failed'; });
  if (failed.length) {
    $('failed').hidden = false;
    failed.forEach(function (r) { $('failed-list').appendChild(el('li', { 'data-repository': r.name }, [el('b', { text: r.name + ': ' }), el('code', { text: r.error || 'failed' })])); });
  }

  function matches(x, loc, f) {
    if (f.provider && x.provider !== f.provider) return false;
    if (f.repo && loc.repository !== f.repo) return false;
    if (f.verified && verified(x) !== f.verified) return false;
    if (f.severity && SEV[x.severity] < SEV[f.severity]) return false;
    if (f.head && !loc.presentAtHead) return false;
    if (f.text) {
      var hay = [loc.repositoryName, loc.path, x.provider, x.title, x.ruleId, x.fingerprint, loc.author || ''].join(' ').toLowerCase();
      if (hay.indexOf(f.text) < 0) return false;
    }
    return true;
  }
  function badge(cls, text) { return el('span', { class: 'badge ' + cls, text: text }); }
  function row(x, loc, showRepo) {
    var others = x.locations.length - 1;
    return el('tr', { 'data-fingerprint': x.fingerprint, 'data-repository': loc.repositoryName }, [
      el('td', {}, [badge('sev-' + x.severity, x.severity)]),
      el('td', {}, [el('div', { text: x.title }), el('div', { class: 'where', text: x.provider })]),
      el('td', {}, [el('code', { text: x.redacted })]),
      el('td', {}, [el('code', { text: (showRepo ? loc.repositoryName + ': ' : '') + loc.path + ':' + loc.line }), el('div', { class: 'where', text: 'commit ' + loc.commit.slice(0, 10) + (loc.author ? ' by ' + loc.author.replace(/\\s*<.*>$/, '') : '') })]),
      el('td', { class: 'age', title: loc.date || '' , text: age(loc.date) }),
      el('td', {}, [badge('v-' + verified(x), verified(x) === 'none' ? 'not checked' : verified(x))]),
      el('td', {}, [badge(loc.presentAtHead ? 'head-yes' : 'head-no', loc.presentAtHead ? 'in HEAD' : 'history only')]),
      el('td', { class: 'where', text: others > 0 ? 'also in ' + others + ' other ' + (others === 1 ? 'repository' : 'repositories') : '' }),
      el('td', {}, [el('code', { class: 'where', text: x.fingerprint.slice(0, 12) })]),
    ]);
  }
  function render() {
    var f = { text: $('f-text').value.trim().toLowerCase(), provider: $('f-provider').value, repo: $('f-repo').value, verified: $('f-verified').value, severity: $('f-severity').value, head: $('f-head').checked };
    var group = $('f-group').value;
    var groups = {};
    var shown = {};
    report.secrets.forEach(function (x) {
      x.locations.forEach(function (loc) {
        if (!matches(x, loc, f)) return;
        var key = group === 'repository' ? loc.repositoryName : x.provider;
        (groups[key] = groups[key] || []).push([x, loc]);
        shown[x.fingerprint] = true;
      });
    });
    var main = $('groups');
    main.textContent = '';
    Object.keys(groups).sort().forEach(function (key) {
      var rows = groups[key];
      rows.sort(function (a, b) { return (a[1].date || '') < (b[1].date || '') ? -1 : 1; });
      var secrets = {};
      rows.forEach(function (r) { secrets[r[0].fingerprint] = true; });
      var n = Object.keys(secrets).length;
      var head = el('tr', {}, ['Severity', 'Secret', 'Value', 'Where it was introduced', 'Age', 'Verified', 'HEAD', '', 'Fingerprint'].map(function (h) { return el('th', { text: h }); }));
      main.appendChild(el('section', { class: 'group', 'data-group': key }, [
        el('h2', {}, [el('span', { text: key }), el('small', { text: n + (n === 1 ? ' secret' : ' secrets') })]),
        el('table', {}, [el('thead', {}, [head]), el('tbody', {}, rows.map(function (r) { return row(r[0], r[1], group !== 'repository'); }))]),
      ]));
    });
    var count = Object.keys(shown).length;
    $('count').textContent = 'Showing ' + count + ' of ' + report.secrets.length + ' secrets' + (count === 0 && report.secrets.length === 0 ? ': no leaked secret found.' : '.');
  }
  ['f-text', 'f-provider', 'f-repo', 'f-verified', 'f-severity', 'f-head', 'f-group'].forEach(function (id) {
    $(id).addEventListener('input', render);
    $(id).addEventListener('change', render);
  });
  render();
})();
`;
