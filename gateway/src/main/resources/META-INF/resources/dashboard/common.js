// EndoStream dashboard and viewer: shared login (a JWT bearer token with role viewer or operator).
// The token is kept in this tab's sessionStorage only. Pages push data over WebSockets; nothing polls.
export const TOKEN_KEY = 'endostream.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t.trim().replace(/^Bearer\s+/i, ''));
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function socketUrl(path) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${path}`;
}

/** Wires the login box: paste a token, or (dev profile only) fetch one from /dev/token. */
export function setupLogin(onToken) {
  const box = document.getElementById('login');
  const input = document.getElementById('token-input');
  const use = document.getElementById('token-use');
  const logout = document.getElementById('logout');
  const dev = document.getElementById('dev-tokens');
  use.addEventListener('click', () => { setToken(input.value); input.value = ''; onToken(token()); });
  logout.addEventListener('click', () => { setToken(null); location.reload(); });
  // the dev token endpoint exists only when the gateway runs with endostream.dashboard.dev-token.enabled=true
  fetch('/dev/token', { method: 'HEAD' }).then(r => {
    if (r.ok) {
      dev.hidden = false;
      dev.querySelectorAll('button[data-role]').forEach(b => b.addEventListener('click', async () => {
        const res = await fetch(`/dev/token?user=dev-${b.dataset.role}&role=${b.dataset.role}`);
        if (res.ok) { setToken(await res.text()); onToken(token()); }
      }));
    }
  }).catch(() => {});
  box.hidden = false;
  if (token()) onToken(token());
}

export function showLoginError(message) {
  const e = document.getElementById('login-error');
  if (message) document.getElementById('login').hidden = false;
  e.textContent = message || '';
}

export function setUser(user, roles) {
  document.getElementById('user').textContent = user ? `${user} (${[...roles].sort().join(', ')})` : 'not signed in';
  document.getElementById('logout').hidden = !user;
  document.getElementById('login-form').hidden = !!user;
  document.getElementById('login').hidden = !!user;
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
