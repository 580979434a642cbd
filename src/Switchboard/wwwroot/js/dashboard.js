// Small browser helpers for the dashboard (served from 'self': the CSP allows no inline script).

// The viewer's time zone, for pages rendered on the server (ViewerTime.CookieName).
try {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // IANA ids are letters, digits and / _ - + only: cookie-safe as they are (the server checks them again).
  if (zone) document.cookie = 'switchboard-tz=' + zone + '; path=/; max-age=31536000; samesite=lax';
} catch { /* no Intl: UTC */ }

window.switchboard = {
  timeZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch { return null; }
  },
  scrollToBottom(id) {
    const el = document.getElementById(id);
    if (el) el.scrollTop = el.scrollHeight;
  },
  // The alerts switch survives reloads and sign-ins on this browser.
  alertsRemembered() {
    try { return localStorage.getItem('switchboard-alerts') === 'on'; } catch { return false; }
  },
  rememberAlerts(on) {
    try { localStorage.setItem('switchboard-alerts', on ? 'on' : 'off'); } catch { /* storage disabled */ }
  },
  // Opens a conversation at a message (a search result): scrolled into view and marked for a moment.
  scrollToMessage(id) {
    const el = document.getElementById('m-' + id);
    if (!el) return false;
    el.scrollIntoView({ block: 'center' });
    el.classList.add('search-target');
    return true;
  },
  // Presence: tells the server of keys, clicks and pointer moves, at most once a minute.
  watchActivity(ref) {
    let last = 0;
    const ping = () => {
      const now = Date.now();
      if (now - last < 60000) return;
      last = now;
      ref.invokeMethodAsync('ActivityAsync').catch(() => { /* circuit gone */ });
    };
    for (const type of ['keydown', 'pointerdown', 'pointermove', 'wheel']) {
      document.addEventListener(type, ping, { passive: true });
    }
  },
  async enableAlerts() {
    if (!('Notification' in window)) return 'unsupported';
    if (Notification.permission === 'default') return await Notification.requestPermission();
    return Notification.permission;
  },
  alert(title, body) {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.05;
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.15);
    } catch { /* no audio */ }
    if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
      new Notification(title, { body });
    }
  }
};

// While the composer's canned-response picker is open, its keys drive the picker instead of the textarea
// (the component handles them; here the browser's own action is held back).
document.addEventListener('keydown', e => {
  const t = e.target;
  if (t instanceof HTMLTextAreaElement && t.dataset.picker === 'open'
      && ['ArrowUp', 'ArrowDown', 'Enter', 'Tab', 'Escape'].includes(e.key) && !e.ctrlKey && !e.metaKey) {
    e.preventDefault();
  }
}, true);
