// Training panel: trainer-service's jobs through the gateway's /api/training proxy (the same bearer token; the
// gateway forwards it to the trainer). Progress is pushed: each unfinished job's server-sent events are read with
// fetch() (EventSource cannot send an Authorization header). The curve is Chart.js, the sample grid the trainer's PNG.
import { token, el } from './common.js';

const statusBox = document.getElementById('training-status');
const jobsBody = document.getElementById('training-jobs');
const result = document.getElementById('training-result');
const detail = document.getElementById('training-detail');
const jobs = new Map();          // id -> latest job view
const following = new Map();     // id -> AbortController of its event stream
const live = new Map();          // id -> { 'phase metric': [{x, y}] } from progress events
let roles = new Set();
let selected = null;
let chart = null;
let lastHistoryFetch = 0;
let started = false;
window.trainingStats = { events: 0, lists: 0 }; // read by the browser test

const auth = () => ({ 'Authorization': `Bearer ${token()}` });

window.addEventListener('endostream:welcome', ev => {
  roles = new Set(ev.detail.roles);
  if (!started) { started = true; start(); }
});

async function start() {
  const res = await fetch('/api/training', { headers: auth() });
  if (!res.ok) { statusBox.textContent = `training status unavailable (${res.status})`; return; }
  const s = await res.json();
  if (!s.configured) {
    statusBox.textContent = 'Training is not configured: the gateway has no endostream.gateway.trainer-url.';
    document.getElementById('training-start').remove();
    return;
  }
  statusBox.textContent = `trainer-service at ${s.trainerUrl}`;
  const template = s.jobTemplate || { type: 'pipeline', options: {} };
  document.getElementById('training-type').value = template.type || 'pipeline';
  document.getElementById('training-options').value = JSON.stringify(template.options || {});
  document.getElementById('training-submit').addEventListener('click', submit);
  chart = new Chart(document.getElementById('chart-training'), {
    type: 'line', data: { datasets: [] },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false,
      // losses (summed over pixels: hundreds to thousands) on a log scale at the left, 0..1 scores at the right
      scales: { x: { type: 'linear', title: { display: true, text: 'epoch / validation point', color: '#8a96a3' }, ticks: { color: '#8a96a3' } },
                loss: { type: 'logarithmic', position: 'left', title: { display: true, text: 'loss, MSE', color: '#8a96a3' }, ticks: { color: '#8a96a3' } },
                score: { type: 'linear', position: 'right', min: 0, max: 1, title: { display: true, text: 'Dice, IoU, ...', color: '#8a96a3' },
                         ticks: { color: '#8a96a3' }, grid: { drawOnChartArea: false } } },
      plugins: { legend: { labels: { color: '#e6e6e6', boxWidth: 12 } } },
    },
  });
  await list();
  // a job started elsewhere (CLI, another operator) shows up within this period; progress itself is pushed
  setInterval(list, 20000);
}

async function list() {
  const res = await fetch('/api/training/jobs', { headers: auth() });
  if (!res.ok) { statusBox.textContent = `cannot list jobs: ${await why(res)}`; return; }
  for (const j of await res.json()) { jobs.set(j.id, j); if (!terminal(j)) follow(j.id); }
  window.trainingStats.lists++;
  render();
}

function terminal(j) { return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status); }

async function follow(id) {
  if (following.has(id)) return;
  const ctl = new AbortController();
  following.set(id, ctl);
  try {
    const res = await fetch(`/api/training/jobs/${encodeURIComponent(id)}/events`, { headers: auth(), signal: ctl.signal });
    if (!res.ok) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value.replace(/\r/g, '');
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const data = buf.slice(0, cut).split('\n').filter(l => l.startsWith('data:'))
          .map(l => l.slice(5).replace(/^ /, '')).join('\n');
        buf = buf.slice(cut + 2);
        if (data) onJob(JSON.parse(data));
      }
    }
  } catch (e) { /* aborted or the stream broke: the next list() looks again */ }
  finally { following.delete(id); }
}

function onJob(j) {
  const before = jobs.get(j.id);
  jobs.set(j.id, j);
  window.trainingStats.events++;
  const p = j.progress;
  if (p && p.metrics) {
    const series = live.get(j.id) || {};
    for (const [k, v] of Object.entries(p.metrics)) {
      if (typeof v !== 'number') continue;
      const key = `${p.phase} ${k}`;
      (series[key] = series[key] || []).push({ x: p.done, y: v });
    }
    live.set(j.id, series);
  }
  renderRow(j);
  if (selected === j.id) {
    const ended = terminal(j) && !(before && terminal(before));
    const phaseChanged = before && before.progress && p && before.progress.phase !== p.phase;
    if (ended || phaseChanged || Date.now() - lastHistoryFetch > 5000) showDetail(j.id, ended || phaseChanged);
  }
}

function render() {
  const all = [...jobs.values()].sort((a, b) => (b.submittedAt || '').localeCompare(a.submittedAt || ''));
  jobsBody.replaceChildren(...all.map(rowFor));
  if (!selected && all.length) showDetail(all[0].id, true);
}

function renderRow(j) {
  const old = jobsBody.querySelector(`tr[data-job="${CSS.escape(j.id)}"]`);
  if (old) old.replaceWith(rowFor(j)); else render();
}

function rowFor(j) {
  const p = j.progress || {};
  const fraction = typeof p.fraction === 'number' ? p.fraction : (j.status === 'SUCCEEDED' ? 1 : 0);
  const figures = Object.entries(p.metrics || {}).map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toFixed(4) : v}`).join(', ');
  const eta = p.etaSeconds > 0 && !terminal(j) ? `, ${Math.round(p.etaSeconds)} s left` : '';
  const op = roles.has('operator');
  return el('tr', { class: `job-row${selected === j.id ? ' selected' : ''}`, 'data-job': j.id, onclick: () => showDetail(j.id, true) },
    el('td', { text: j.id }),
    el('td', { text: j.type }),
    el('td', {}, el('span', { class: `badge status-${j.status}`, 'data-status': j.status, text: j.status })),
    el('td', { class: 'job-progress' },
      el('div', { class: 'progress' }, el('div', { style: `width:${Math.round(fraction * 100)}%` })),
      el('span', { class: 'muted', text: `${p.phase || ''} ${p.done ?? ''}${p.total ? '/' + p.total : ''}${eta}` }),
      p.message ? el('div', { class: 'muted', text: p.message }) : null),
    el('td', { text: j.error ? `error: ${j.error}` : figures }),
    el('td', { text: j.submittedAt || '' }),
    el('td', {},
      op && !terminal(j) ? el('button', { class: 'danger', 'data-action': 'cancel', onclick: e => { e.stopPropagation(); cancel(j.id); } }, 'Cancel') : null,
      op && j.status === 'SUCCEEDED' ? el('button', { 'data-action': 'register', onclick: e => { e.stopPropagation(); register(j.id); } }, 'Register model') : null));
}

async function showDetail(id, images) {
  selected = id;
  jobsBody.querySelectorAll('tr.job-row').forEach(r => r.classList.toggle('selected', r.dataset.job === id));
  detail.hidden = false;
  const j = jobs.get(id);
  document.getElementById('training-detail-title').textContent = `job ${id} (${j ? j.type + ', ' + j.status : ''})`;
  lastHistoryFetch = Date.now();
  const datasets = [];
  const res = await fetch(`/api/training/jobs/${encodeURIComponent(id)}/history`, { headers: auth() });
  if (res.ok) {
    for (const [label, pts] of Object.entries(curves(await res.json()))) datasets.push({ label, data: pts });
  }
  if (!datasets.length) {
    for (const [label, pts] of Object.entries(live.get(id) || {})) datasets.push({ label: `${label} (live)`, data: pts });
  }
  const palette = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#e3b341'];
  chart.data.datasets = datasets.filter(d => !/encoder_frozen|learning_rate|\blr\b/.test(d.label)).map((d, i) => ({ ...d,
    yAxisID: /loss|mse/i.test(d.label) ? 'loss' : 'score', borderColor: palette[i % palette.length],
    backgroundColor: palette[i % palette.length], pointRadius: 2, borderWidth: 2 }));
  chart.update('none');
  if (images) loadSamples(id);
}

/**
 * The trainer's history as chart series: {runs: [{phase, kind, rows: [{epoch, train_loss, val_dice, ...}]}]} (the
 * trainer's GET /jobs/{id}/history). Also accepts bare rows, or rows per phase ({pretrain: [...], finetune: [...]}).
 */
function curves(h) {
  const out = {};
  const add = (phase, rows) => {
    if (!Array.isArray(rows)) return;
    rows.forEach((r, i) => {
      if (!r || typeof r !== 'object') return;
      const x = r.iteration ?? r.step ?? r.epoch ?? r.x ?? i;
      for (const [k, v] of Object.entries(r)) {
        if (typeof v !== 'number' || ['iteration', 'step', 'epoch', 'x', 'time', 'seconds', 'elapsedSeconds'].includes(k)) continue;
        const label = phase ? `${phase} ${k}` : k;
        (out[label] = out[label] || []).push({ x, y: v });
      }
    });
  };
  if (h && Array.isArray(h.runs)) h.runs.forEach(r => r && add(r.phase, r.rows));
  else if (Array.isArray(h)) add(null, h);
  else if (h && typeof h === 'object') {
    const rows = h.history ?? h.rows ?? h.points;
    if (Array.isArray(rows)) add(null, rows);
    else for (const [phase, v] of Object.entries(h.phases ?? h)) {
      if (Array.isArray(v)) add(phase, v);
      else if (v && typeof v === 'object') add(phase, v.history ?? v.rows ?? v.points);
    }
  }
  return out;
}

async function loadSamples(id) {
  const img = document.getElementById('training-samples');
  const res = await fetch(`/api/training/jobs/${encodeURIComponent(id)}/samples.png`, { headers: auth() });
  const none = document.getElementById('training-samples-none');
  if (!res.ok) { img.hidden = true; none.hidden = false; return; }
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(await res.blob());
  img.hidden = false; none.hidden = true;
}

async function submit() {
  let options;
  try { options = JSON.parse(document.getElementById('training-options').value || '{}'); }
  catch (e) { show(`options are not JSON: ${e.message}`, true); return; }
  const type = document.getElementById('training-type').value;
  const res = await fetch('/api/training/jobs', { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' },
    body: JSON.stringify({ type, options }) });
  if (!res.ok) { show(`start refused: ${await why(res)}`, true); return; }
  const j = await res.json();
  show(`job ${j.id} (${j.type}) ${j.status}: progress follows below`);
  jobs.set(j.id, j);
  render();
  showDetail(j.id, true);
  follow(j.id);
}

async function cancel(id) {
  const res = await fetch(`/api/training/jobs/${encodeURIComponent(id)}`, { method: 'DELETE', headers: auth() });
  show(res.ok ? `cancel requested for job ${id}` : `cancel refused: ${await why(res)}`, !res.ok);
}

async function register(id) {
  show(`registering the model of job ${id} ...`);
  const res = await fetch(`/api/training/jobs/${encodeURIComponent(id)}/register`, { method: 'POST', headers: auth() });
  if (!res.ok) { show(`register refused: ${await why(res)}`, true); return; }
  const r = await res.json();
  const ref = `${r.manifest.name}:${r.manifest.version}`;
  result.className = 'muted';
  result.replaceChildren(`registered ${ref} (SHA-256 ${(r.manifest.onnxSha256 || '').substring(0, 12)}): `,
    el('button', { class: 'secondary', 'data-action': 'shadow-new', onclick: () => rollout(ref, true) }, 'Shadow it on default'),
    ' ', el('button', { class: 'secondary', 'data-action': 'canary-new', onclick: () => rollout(ref, false) }, 'Canary it on default'),
    ' (or use the deployment card above: promote, pause, roll back)');
}

async function rollout(ref, shadowFirst) {
  const res = await fetch('/api/deployments/default/rollout', { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' },
    body: JSON.stringify({ candidate: ref, steps: [25, 50, 100], shadowFirst, shadowPercent: shadowFirst ? 50 : 0,
      reason: `${shadowFirst ? 'shadow' : 'canary'} of a freshly trained version, from the Training panel` }) });
  show(res.ok ? `${ref}: ${shadowFirst ? 'shadow' : 'canary'} started on deployment default (see its card above)`
    : `rollout refused: ${await why(res)}`, !res.ok);
}

function show(text, error) { result.className = error ? 'error' : 'muted'; result.textContent = text; }

async function why(res) {
  try { const j = await res.json(); return `${res.status} ${j.field ? j.field + ': ' : ''}${j.error || JSON.stringify(j)}`; }
  catch (e) { return `${res.status}`; }
}
