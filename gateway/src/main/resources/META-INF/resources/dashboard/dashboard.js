// Dashboard: state, chart points and history pushed by the gateway over /dashboard/ws; operator actions through the
// REST API (/api/...) with the same bearer token. Charts are Chart.js (window.Chart from the WebJar's UMD bundle).
import { setupLogin, showLoginError, setUser, socketUrl, token, el } from './common.js';

const status = document.getElementById('status');
let ws = null;
let roles = new Set();
let state = null;
const charts = {};
const palette = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#e3b341'];
const colours = new Map();
window.dashboardStats = { states: 0, points: 0 }; // read by the browser test

function colour(version) {
  if (!colours.has(version)) colours.set(version, palette[colours.size % palette.length]);
  return colours.get(version);
}

function connect(t) {
  if (ws) ws.close();
  ws = new WebSocket(socketUrl('/dashboard/ws'));
  status.textContent = 'connecting';
  ws.onopen = () => ws.send(JSON.stringify({ token: t }));
  ws.onclose = () => { status.textContent = 'disconnected'; ws = null; setTimeout(() => token() && connect(token()), 2000); };
  ws.onmessage = ev => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'error') { showLoginError(msg.error); status.textContent = 'error'; }
    else if (msg.type === 'welcome') {
      showLoginError(''); roles = new Set(msg.roles); setUser(msg.user, msg.roles); status.textContent = 'live';
      document.querySelectorAll('.operator-only').forEach(e => e.hidden = !roles.has('operator'));
      // the Training panel (training.js) starts when the gateway has accepted the token
      window.dispatchEvent(new CustomEvent('endostream:welcome', { detail: { user: msg.user, roles: msg.roles } }));
    } else if (msg.type === 'history') history(msg.series);
    else if (msg.type === 'points') points(msg.points);
    else if (msg.type === 'state') { state = msg; render(); window.dashboardStats.states++; }
  };
}

// ---- charts -------------------------------------------------------------------------------------------------
function makeChart(id, yTitle, suggestedMax) {
  return new Chart(document.getElementById(id), {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false, spanGaps: true,
      scales: {
        x: { type: 'linear', ticks: { color: '#8a96a3', maxTicksLimit: 6, callback: v => new Date(v).toLocaleTimeString() } },
        y: { beginAtZero: true, suggestedMax, title: { display: true, text: yTitle, color: '#8a96a3' }, ticks: { color: '#8a96a3' } },
      },
      plugins: { legend: { labels: { color: '#e6e6e6', boxWidth: 12 } } },
    },
  });
}

function setupCharts() {
  charts.fps = makeChart('chart-fps', 'masks/s');
  charts.latency = makeChart('chart-latency', 'ms');
  charts.failures = makeChart('chart-failures', 'frames');
  charts.shadow = makeChart('chart-shadow', 'Dice', 1);
}

const SERIES = [
  ['fps', v => `${v}`, p => p.fps, []],
  ['latency', v => `${v} p50`, p => p.p50Ms, []],
  ['latency', v => `${v} p99`, p => p.p99Ms, [6, 3]],
  ['failures', v => `${v} skipped`, p => p.skipped, []],
  ['failures', v => `${v} dead letters`, p => p.deadLetters, [6, 3]],
  ['shadow', v => `${v}`, p => p.shadowDice, []],
];

function dataset(chart, label, version, dash) {
  let ds = chart.data.datasets.find(d => d.label === label);
  if (!ds) {
    ds = { label, data: [], borderColor: colour(version), backgroundColor: colour(version), borderDash: dash, pointRadius: 0, borderWidth: 2 };
    chart.data.datasets.push(ds);
  }
  return ds;
}

function addPoint(version, p) {
  for (const [name, label, value, dash] of SERIES) {
    const y = value(p);
    if (name === 'shadow' && y === null) continue;
    const ds = dataset(charts[name], label(version), version, dash);
    ds.data.push({ x: p.at, y });
    if (ds.data.length > 360) ds.data.shift();
  }
}

function history(series) {
  for (const c of Object.values(charts)) c.data.datasets = [];
  for (const [version, pts] of Object.entries(series)) pts.forEach(p => addPoint(version, p));
  Object.values(charts).forEach(c => c.update('none'));
}

function points(byVersion) {
  for (const [version, p] of Object.entries(byVersion)) addPoint(version, p);
  Object.values(charts).forEach(c => c.update('none'));
  window.dashboardStats.points++;
}

// ---- state --------------------------------------------------------------------------------------------------
const ref = r => (r ? `${r.name}:${r.version}` : '—');

function render() {
  renderDeployments();
  renderModels();
  renderAudit();
}

function renderDeployments() {
  const box = document.getElementById('deployments');
  const deps = Object.entries(state.deployments);
  box.replaceChildren(...(deps.length ? deps.map(([name, plan]) => deploymentCard(name, plan))
    : [el('span', { class: 'muted', text: 'no deployment yet: set a stable version' })]));
  const sel = document.getElementById('stable-model');
  const active = state.models.filter(m => m.status === 'active').map(m => ref(m.manifest));
  const prev = sel.value;
  sel.replaceChildren(...active.map(v => new Option(v, v)));
  if (active.includes(prev)) sel.value = prev;
}

function deploymentCard(name, plan) {
  const s = plan.status || { phase: 'stable', steps: [] };
  const a = (state.analysis || {})[name] || {};
  const streams = (state.streamsPerVersion || {})[name] || {};
  const op = roles.has('operator');
  const inProgress = ['shadow', 'canary', 'paused'].includes(s.phase);
  const steps = s.steps || [];
  // share of the canary steps done: full once promoted, empty in shadow, after a rollback or with no rollout
  const progress = s.phase === 'promoted' ? 1 : (!inProgress || s.phase === 'shadow' || s.step < 0 || !steps.length) ? 0
    : (s.step + 1) / steps.length;
  const card = el('div', { class: 'deployment', 'data-deployment': name },
    el('h3', {}, `${name} `, el('span', { class: `badge phase-${s.phase}`, id: `phase-${name}`, text: s.phase })),
    el('table', {}, el('tbody', {},
      row('stable', ref(plan.stable)),
      row('candidate', s.candidate && inProgress ? ref(s.candidate) : '—'),
      row('canary', plan.canary ? `${ref(plan.canary)} on ${plan.canaryPercent} % of new streams` : '—'),
      row('shadow', plan.shadow ? `${ref(plan.shadow)} on ${plan.shadowPercent} %${(plan.shadowStreams || []).length ? ' + ' + plan.shadowStreams.join(', ') : ''}` : '—'),
      row('steps', steps.length ? `${steps.join(' → ')} % (step ${s.step + 1} of ${steps.length}${s.phase === 'paused' ? ', paused in ' + s.pausedPhase : ''})` : '—'),
      row('analysis', a.verdict ? `${a.verdict}: ${a.reason}` : (a.instances !== undefined ? `${a.instances} inference instance(s) reporting` : '—')),
      row('live streams', Object.keys(streams).length ? Object.entries(streams).map(([v, n]) => `${v}: ${n}`).join(', ') : 'none'),
      row('pins', Object.keys(plan.pins || {}).length ? Object.entries(plan.pins).map(([k, v]) => `${k} → ${ref(v)}`).join(', ') : 'none'),
      row('last change', `${s.reason || ''} (revision ${plan.revision}, ${plan.updatedBy || ''} at ${plan.updatedAt || ''})`))),
    el('div', { class: 'progress' }, el('div', { style: `width:${Math.round(progress * 100)}%` })));
  if (op) {
    const actions = el('div', { class: 'actions' },
      button('Promote', 'promote', name, !inProgress),
      button('Pause', 'pause', name, !(s.phase === 'shadow' || s.phase === 'canary'), 'secondary'),
      button('Resume', 'resume', name, s.phase !== 'paused', 'secondary'),
      button('Roll back', 'abort', name, !inProgress, 'danger'));
    card.append(actions, startForm(name, inProgress));
  }
  return card;
}

function row(k, v) { return el('tr', {}, el('th', { text: k }), el('td', { text: v })); }

function button(label, action, deployment, disabled, cls) {
  return el('button', { class: cls, 'data-action': action, disabled, onclick: () => act(`/api/deployments/${encodeURIComponent(deployment)}/${action}`, 'POST', { reason: `${action} from the dashboard` }) }, label);
}

function startForm(deployment, inProgress) {
  const candidates = state.models.filter(m => m.status === 'active').map(m => ref(m.manifest));
  const cand = el('select', { class: 'candidate' }, ...candidates.map(v => new Option(v, v)));
  const mode = el('select', { class: 'mode' }, new Option('canary', 'canary'), new Option('shadow first, then canary', 'shadow'));
  const steps = el('input', { class: 'steps', value: '5,25,50,100', size: 12, title: 'canary steps (%)' });
  const shadowPct = el('input', { class: 'shadow-percent', value: '10', size: 4, title: 'shadow share (%)' });
  const go = el('button', { 'data-action': 'rollout', disabled: inProgress, onclick: () => act(`/api/deployments/${encodeURIComponent(deployment)}/rollout`, 'POST', {
    candidate: cand.value, steps: steps.value.split(',').map(Number), shadowFirst: mode.value === 'shadow',
    shadowPercent: mode.value === 'shadow' ? Number(shadowPct.value) : 0, reason: 'started from the dashboard' }) }, 'Start rollout');
  return el('div', { class: 'actions' }, 'candidate', cand, mode, 'steps %', steps, 'shadow %', shadowPct, go);
}

async function act(path, method, body) {
  const out = document.getElementById('action-result');
  out.textContent = `${method} ${path} ...`;
  const res = await fetch(path, { method, headers: { 'Authorization': `Bearer ${token()}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (res.ok) { out.className = 'muted'; out.textContent = `${method} ${path}: done (the page updates when the gateway pushes the new state)`; }
  else {
    let why = `${res.status}`;
    try { const j = await res.json(); why += ` ${j.field ? j.field + ': ' : ''}${j.error || JSON.stringify(j)}`; } catch (e) { /* not JSON */ }
    out.className = 'error'; out.textContent = `${method} ${path} refused: ${why}`;
  }
}

document.getElementById('stable-set').addEventListener('click', () => {
  const dep = document.getElementById('stable-deployment').value || 'default';
  act(`/api/deployments/${encodeURIComponent(dep)}/stable`, 'PUT', { model: document.getElementById('stable-model').value, reason: 'set from the dashboard' });
});

function renderModels() {
  const body = document.getElementById('models');
  body.replaceChildren(...state.models.map(m => {
    const mf = m.manifest;
    const metrics = mf.metrics ? Object.entries(mf.metrics).map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toFixed(4) : v}`).join(', ') : '—';
    return el('tr', {},
      el('td', { text: ref(mf) }),
      el('td', {}, el('span', { class: 'badge', text: m.status })),
      el('td', { text: mf.input ? `${mf.input.width}x${mf.input.height} ${mf.input.channelOrder || ''}` : '' }),
      el('td', { text: metrics }),
      el('td', { text: `${(m.sizeBytes / 1048576).toFixed(2)} MiB` }),
      el('td', { title: mf.onnxSha256, text: (mf.onnxSha256 || '').substring(0, 12) }),
      el('td', { text: `${m.registeredBy || ''} ${m.registeredAt || ''}` }),
      el('td', {}, el('details', {}, el('summary', { text: 'manifest' }), el('pre', { text: JSON.stringify(mf, null, 2) }))));
  }));
}

function renderAudit() {
  const body = document.getElementById('audit');
  body.replaceChildren(...state.audit.map(a => el('tr', {},
    el('td', { text: a.at }), el('td', { text: a.deployment || '' }), el('td', { text: a.actor }),
    el('td', { class: 'audit-action', text: a.action }), el('td', { text: a.reason || '' }), el('td', { text: a.planRevision }))));
}

setupCharts();
setupLogin(t => connect(t));
