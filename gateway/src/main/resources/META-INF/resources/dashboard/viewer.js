// Live viewer: frames with their mask overlaid, pushed by the gateway over /viewer/ws (binary messages:
// [4-byte length n][n bytes JSON header][frame image][mask PNG][shadow mask PNG]). Latest wins: a message that
// arrives while one is being drawn replaces the waiting one, so the picture never falls behind the stream.
import { setupLogin, showLoginError, setUser, socketUrl, token } from './common.js';

const select = document.getElementById('stream-select');
const status = document.getElementById('status');
const stats = { drawn: 0, shadowDrawn: 0, lastFrameId: null, lastHeader: null };
window.viewerStats = stats; // read by the browser test and handy in the console
let ws = null;
let waiting = null;
let drawing = false;

function connect(t) {
  if (ws) ws.close();
  ws = new WebSocket(socketUrl('/viewer/ws'));
  ws.binaryType = 'arraybuffer';
  status.textContent = 'connecting';
  ws.onopen = () => ws.send(JSON.stringify({ token: t }));
  ws.onclose = () => { status.textContent = 'disconnected'; setTimeout(() => token() && connect(token()), 2000); ws = null; };
  ws.onmessage = ev => {
    if (typeof ev.data === 'string') return onText(JSON.parse(ev.data));
    waiting = ev.data;
    if (!drawing) drawNext();
  };
}

function onText(msg) {
  if (msg.type === 'error') { showLoginError(msg.error); status.textContent = 'error: ' + msg.error; return; }
  if (msg.type === 'welcome') {
    showLoginError('');
    setUser(msg.user, msg.roles);
    status.textContent = 'connected';
    updateStreams(msg.streams);
    const wanted = new URLSearchParams(location.search).get('stream') || select.value;
    if (wanted) watch(wanted);
  }
  if (msg.type === 'streams') updateStreams(msg.streams);
}

function updateStreams(streams) {
  const current = select.value;
  const known = new Set(streams.map(s => s.streamId));
  if (current) known.add(current);
  select.replaceChildren(new Option('(pick a stream seen on the mask topic)', ''));
  for (const id of [...known].sort()) {
    const s = streams.find(x => x.streamId === id);
    select.add(new Option(s ? `${id} — ${s.model}` : `${id} (not seen lately)`, id));
  }
  select.value = current;
  document.getElementById('stream-count').textContent = `${streams.length} stream(s) seen lately`;
}

function watch(id) {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (![...select.options].some(o => o.value === id)) select.add(new Option(id, id));
  select.value = id;
  ws.send(JSON.stringify({ watch: id || null }));
  document.getElementById('shadow-figure').hidden = true;
}

select.addEventListener('change', () => watch(select.value));

async function drawNext() {
  drawing = true;
  while (waiting) {
    const buf = waiting;
    waiting = null;
    try { await draw(buf); } catch (e) { console.warn('cannot draw a frame', e); }
  }
  drawing = false;
}

async function draw(buf) {
  const view = new DataView(buf);
  const n = view.getUint32(0);
  const h = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n)));
  if (h.stream !== select.value) return;
  let at = 4 + n;
  const frameBlob = new Blob([new Uint8Array(buf, at, h.frameBytes)], { type: h.frameType }); at += h.frameBytes;
  const maskBlob = new Blob([new Uint8Array(buf, at, h.maskBytes)], { type: 'image/png' }); at += h.maskBytes;
  const shadowBlob = h.shadowBytes > 0 ? new Blob([new Uint8Array(buf, at, h.shadowBytes)], { type: 'image/png' }) : null;
  const frame = await createImageBitmap(frameBlob);
  if (h.type === 'pair') {
    const mask = await createImageBitmap(maskBlob);
    paint(document.getElementById('primary'), frame, mask, h.mask.polypArea);
    figures('primary-figures', h, h.mask, 'model');
    stats.drawn++;
    stats.lastFrameId = h.frameId;
    stats.lastHeader = h;
  }
  if (shadowBlob) {
    const shadow = await createImageBitmap(shadowBlob);
    document.getElementById('shadow-figure').hidden = false;
    paint(document.getElementById('shadow'), frame, shadow, h.shadow.polypArea);
    figures('shadow-figures', h, h.shadow, 'shadow candidate');
    stats.shadowDrawn++;
  }
}

const overlayCanvas = document.createElement('canvas');

/** Draws the frame, then the mask as a green tint or a yellow outline (white = polyp in the 1-bit PNG). */
function paint(canvas, frame, mask, area) {
  const w = frame.width, hgt = frame.height;
  if (canvas.width !== w || canvas.height !== hgt) { canvas.width = w; canvas.height = hgt; }
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(frame, 0, 0);
  if (!(area > 0)) return;
  overlayCanvas.width = w; overlayCanvas.height = hgt;
  const o = overlayCanvas.getContext('2d', { willReadFrequently: true });
  o.drawImage(mask, 0, 0, w, hgt);
  const img = o.getImageData(0, 0, w, hgt);
  const px = img.data;
  const inside = new Uint8Array(w * hgt);
  for (let i = 0; i < w * hgt; i++) inside[i] = px[i * 4] > 127 ? 1 : 0;
  const outline = document.querySelector('input[name=overlay]:checked').value === 'outline';
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x, p = i * 4;
      if (!inside[i]) { px[p + 3] = 0; continue; }
      const edge = x === 0 || y === 0 || x === w - 1 || y === hgt - 1
        || !inside[i - 1] || !inside[i + 1] || !inside[i - w] || !inside[i + w];
      if (outline && !edge) { px[p + 3] = 0; continue; }
      if (edge) { px[p] = 255; px[p + 1] = 230; px[p + 2] = 0; px[p + 3] = 255; }
      else { px[p] = 0; px[p + 1] = 255; px[p + 2] = 80; px[p + 3] = 110; }
    }
  }
  o.putImageData(img, 0, 0);
  ctx.drawImage(overlayCanvas, 0, 0);
}

function figures(id, h, m, label) {
  const behind = Date.now() - h.captureTime;
  const e = document.getElementById(id);
  e.replaceChildren();
  const add = (cls, text) => { const s = document.createElement('span'); s.className = cls; s.textContent = text; e.append(s); };
  add('model', `${label} ${m.model}:${m.version}`);
  add('latency', `end-to-end ${m.endToEndMs.toFixed(1)} ms`);
  add('area', `polyp area ${(m.polypArea * 100).toFixed(2)} %`);
  add('behind', `shown ${behind} ms after capture`);
  add('muted', `frame ${h.sequence} (${h.frameId})`);
}

setupLogin(t => connect(t));
