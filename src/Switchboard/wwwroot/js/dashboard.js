// Small browser helpers for the dashboard (served from 'self': the CSP allows no inline script).

// The viewer's time zone, for pages rendered on the server (ViewerTime.CookieName).
try {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // IANA ids are letters, digits and / _ - + only: cookie-safe as they are (the server checks them again).
  if (zone) document.cookie = 'switchboard-tz=' + zone + '; path=/; max-age=31536000; samesite=lax';
} catch { /* no Intl: UTC */ }

// A page's own addresses (the inbox's conversations, the flows page's flows) open inside its circuit, ahead of Blazor's
// navigation, which would ask the server for the page and could replace the page's instance (ADR 0057, ADR 0063). The
// page's root names them (data-page-links, a pattern of paths) and the page watches them from its first rendering on
// (watchPageLinks). A click between the two, a few round trips, sets the address and waits for the watch: Blazor's
// navigation then replaced the instance and a click right after the conversation showed was lost (ADR 0066). A page not
// interactive yet lets the click through as an ordinary link.
const pageLink = e => {
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || e.defaultPrevented) return null;
  const a = e.target instanceof Element && e.target.closest('a[href]');
  const root = a && a.closest('[data-page-links]');
  if (!root || a.target || a.hasAttribute('download')) return null;
  const url = new URL(a.href, document.baseURI);
  if (url.origin !== location.origin || !new RegExp(root.dataset.pageLinks, 'i').test(url.pathname)) return null;
  return { root, path: url.pathname + url.search };
};
document.addEventListener('click', e => {
  const link = pageLink(e);
  if (!link || link.root.dataset.interactive !== 'true') return;
  e.preventDefault();
  const watch = window.switchboardPageWatch;
  window.switchboard.showAddress(link.path);
  if (watch && watch.root === link.root) watch.open(link.path);
  else window.switchboardEarlyLink = { root: link.root, path: link.path };
}, true);

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

Object.assign(window.switchboard, {
  // The theme now in effect: the switch's choice, else the browser's preference.
  theme() {
    const chosen = document.documentElement.dataset.theme;
    if (chosen === 'dark' || chosen === 'light') return chosen;
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  },
  toggleTheme() {
    const next = this.theme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem('switchboard-theme', next); } catch { /* storage disabled */ }
    return next;
  },

  // Opens a conversation at its newest message and keeps it there while images and videos load (they change the
  // height), until the viewer scrolls away from the bottom.
  scrollToNewest(id) {
    const el = document.getElementById(id);
    if (!el) return;
    if (!el.dataset.follow) {
      el.addEventListener('scroll', () => {
        el.dataset.follow = el.scrollHeight - el.scrollTop - el.clientHeight < 60 ? 'on' : 'off';
      }, { passive: true });
      const repin = () => { if (el.dataset.follow === 'on') el.scrollTop = el.scrollHeight; };
      // load and loadedmetadata do not bubble, but they can be caught on the way down.
      el.addEventListener('load', repin, true);
      el.addEventListener('loadedmetadata', repin, true);
    }
    el.dataset.follow = 'on';
    el.scrollTop = el.scrollHeight;
  },

  // Drafts are kept per conversation in this browser's storage (ADR 0033): the key names tenant, person and conversation.
  loadDraft(key) {
    try { return localStorage.getItem('switchboard-draft:' + key) || ''; } catch { return ''; }
  },
  saveDraft(key, text) {
    try {
      if (text) localStorage.setItem('switchboard-draft:' + key, text);
      else localStorage.removeItem('switchboard-draft:' + key);
    } catch { /* storage disabled */ }
  },

  // Inbox shortcuts anywhere on the page (not while typing in a field); the page decides what each key does.
  watchShortcuts(ref) {
    if (window.switchboardShortcuts) document.removeEventListener('keydown', window.switchboardShortcuts);
    const keys = new Set(['j', 'k', 'ArrowDown', 'ArrowUp', 'Enter', 'e', 'a', 'u', '/', '?', 'r', 'Escape']);
    window.switchboardShortcuts = e => {
      if (e.ctrlKey || e.metaKey || e.altKey || !keys.has(e.key) || !document.querySelector('[data-testid=inbox]')) return;
      const t = e.target;
      const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t && t.isContentEditable);
      if (typing) return;
      const inList = t instanceof Element && t.closest('[data-testid=conversation-list]');
      // Nothing in particular has focus: the page itself, or a heading focused after navigation.
      const neutral = !t || t === document.body || t === document.documentElement || (t instanceof Element && t.tagName === 'H1');
      // Arrows and Enter keep their usual meaning elsewhere (scrolling, pressing a focused button or link).
      if ((e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Enter') && !inList && !neutral) return;
      e.preventDefault();
      ref.invokeMethodAsync('ShortcutAsync', e.key).catch(err => console.warn('shortcut', e.key, err));
    };
    document.addEventListener('keydown', window.switchboardShortcuts);
  },
  // The keys open a conversation inside the circuit: the address follows here, as a history entry of its own, without
  // asking the server for the page (ADR 0057). Back and forward then go through Blazor's navigation as usual.
  showAddress(path) {
    if (location.pathname + location.search !== path) history.pushState(null, '', path);
  },
  // The page whose root <page> matches opens its own addresses in its circuit from now on (see pageLink above), starting
  // with one clicked before this watch was set.
  watchPageLinks(ref, page) {
    const root = document.querySelector(page);
    const open = path => ref.invokeMethodAsync('OpenAddressAsync', path).catch(err => console.warn('open', path, err));
    window.switchboardPageWatch = { root, open };
    const early = window.switchboardEarlyLink;
    window.switchboardEarlyLink = null;
    if (early && root && early.root === root) open(early.path);
  },
  // The inbox's title (unread count, open conversation) as the circuit sees it; not once another page has replaced it.
  setTitle(title) {
    if (document.querySelector('[data-testid=inbox]')) document.title = title;
  },
  focusComposer(text) {
    const box = document.querySelector('[data-testid=composer-input]');
    if (!box || box.disabled) return false;
    box.focus();
    if (text) {
      box.value = text;
      box.dispatchEvent(new Event('input', { bubbles: true }));
    }
    return true;
  },
  scrollIntoList(id) {
    const item = document.querySelector('[data-conversation-id="' + id + '"]');
    if (item) item.scrollIntoView({ block: 'nearest' });
  },

  // Infinite scroll: asks the page for more once the list is scrolled near its end.
  watchListEnd(ref) {
    const list = document.querySelector('[data-testid=conversation-list]');
    if (!list || list.dataset.watched) return;
    list.dataset.watched = 'true';
    let asking = false;
    list.addEventListener('scroll', () => {
      if (asking || list.scrollHeight - list.scrollTop - list.clientHeight > 200) return;
      asking = true;
      ref.invokeMethodAsync('MoreAsync').finally(() => { asking = false; });
    }, { passive: true });
  }
});

// Drafts follow every keystroke, so that leaving a conversation (or the page) keeps them.
document.addEventListener('input', e => {
  const t = e.target;
  if (t instanceof HTMLTextAreaElement && t.dataset.draftKey) window.switchboard.saveDraft(t.dataset.draftKey, t.value);
});

// Theme: the browser's preference unless the viewer picked one with the switch (remembered on this browser).
function applyTheme() {
  try {
    const chosen = localStorage.getItem('switchboard-theme');
    if (chosen === 'dark' || chosen === 'light') document.documentElement.dataset.theme = chosen;
  } catch { /* storage disabled */ }
  for (const button of document.querySelectorAll('[data-theme-toggle]')) {
    const dark = window.switchboard.theme() === 'dark';
    button.setAttribute('aria-pressed', dark ? 'true' : 'false');
    button.dataset.current = dark ? 'dark' : 'light';
  }
}
applyTheme();
document.addEventListener('DOMContentLoaded', () => {
  applyTheme();
  // Enhanced navigation replaces the page's content: set the switch's state again.
  if (window.Blazor && window.Blazor.addEventListener) window.Blazor.addEventListener('enhancedload', applyTheme);
});
document.addEventListener('click', e => {
  const button = e.target instanceof Element && e.target.closest('[data-theme-toggle]');
  if (!button) return;
  window.switchboard.toggleTheme();
  applyTheme();
});

// The alerts switch is remembered in this browser the moment it changes, before the server hears of it, so a
// reload right after the click keeps the choice.
document.addEventListener('change', e => {
  if (e.target instanceof HTMLInputElement && e.target.dataset.remember === 'alerts') {
    window.switchboard.rememberAlerts(e.target.checked);
  }
});
