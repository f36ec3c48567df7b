// outbox.js - writes made on a weak network. Each is stored on the device
// (localStorage) with its Idempotency-Key before the first try, and sent
// in order when the network is back; a retry carries the same key, so the
// server answers a repeat with the first result and nothing is done twice.
// Kept per account; survives reloads.

import { api, newKey } from './api.js';

const RETRY_MIN = 3000;
const RETRY_MAX = 60000;

export class Outbox {
  constructor(username) {
    this.key = `xt.outbox.${username}`;
    this.sentKey = `xt.sent.${username}`;
    this.listeners = new Set();
    this.running = false;
    this.timer = null;
    this.delay = RETRY_MIN;
    this.onOnline = () => { this.delay = RETRY_MIN; this.flush(); };
    window.addEventListener('online', this.onOnline);
    // A send cut short by closing the page is tried again (same key).
    const items = this.items();
    if (items.some((x) => x.state === 'sending')) {
      localStorage.setItem(this.key, JSON.stringify(items.map((x) => (x.state === 'sending' ? { ...x, state: 'pending' } : x))));
    }
  }

  close() {
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  items() {
    try { return JSON.parse(localStorage.getItem(this.key)) || []; } catch (e) { return []; }
  }

  sent() {
    try { return JSON.parse(localStorage.getItem(this.sentKey)) || []; } catch (e) { return []; }
  }

  save(items) {
    localStorage.setItem(this.key, JSON.stringify(items));
    this.emit();
  }

  update(id, patch) {
    this.save(this.items().map((x) => (x.id === id ? { ...x, ...patch } : x)));
  }

  remove(id) {
    this.save(this.items().filter((x) => x.id !== id));
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit() {
    for (const fn of this.listeners) fn();
  }

  /** Queue a write; label is what the worker sees in the list. */
  add(method, path, body, label) {
    const item = { id: newKey(), method, path, body, label, created: new Date().toISOString(), tries: 0, state: 'pending', error: null };
    this.save([...this.items(), item]);
    this.flush();
    return item;
  }

  /** Put a failed item back in line with a new body (and so a new key). */
  retryWith(id, body) {
    const old = this.items().find((x) => x.id === id);
    if (!old) return;
    this.save(this.items().map((x) => (x.id === id ? { ...x, id: newKey(), body, state: 'pending', error: null, tries: 0 } : x)));
    this.flush();
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delay);
    this.delay = Math.min(RETRY_MAX, this.delay * 2);
  }

  /** Send what is pending, oldest first; stop at the first transient failure. */
  async flush() {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const item = this.items().find((x) => x.state === 'pending');
        if (!item) break;
        this.update(item.id, { state: 'sending', tries: item.tries + 1 });
        try {
          const res = await api(item.method, item.path, { body: item.body, idem: item.id });
          this.remove(item.id);
          const sent = [{ id: item.id, label: item.label, number: res && res.number, state: res && res.state, at: new Date().toISOString() }, ...this.sent()].slice(0, 20);
          localStorage.setItem(this.sentKey, JSON.stringify(sent));
          this.delay = RETRY_MIN;
          this.emit();
        } catch (e) {
          if (e.transient || e.status === 401) {
            // Keep it, with the same key, for the next try.
            this.update(item.id, { state: 'pending', error: e.status === 401 ? 'login' : (e.offline ? 'offline' : e.message) });
            if (e.status !== 401) this.schedule();
            break;
          }
          // Refused by the server: nothing was written; the worker decides.
          this.update(item.id, { state: 'failed', error: e.message, field: e.field, status: e.status });
        }
      }
    } finally {
      this.running = false;
      this.emit();
    }
  }
}
