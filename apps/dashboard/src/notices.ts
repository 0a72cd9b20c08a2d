import { byId, el } from './dom.ts';

const SHOWN_MS = 6000;

/** A message above the page: successes fade after a few seconds, errors stay until closed. */
export function notify(kind: 'ok' | 'error', message: string): void {
  const notice = el('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, el('span', {}, message));
  notice.append(el('button', { class: 'notice-close', type: 'button', 'aria-label': 'Dismiss', onclick: () => notice.remove() }, '×'));
  byId('notices').append(notice);
  if (kind === 'ok') window.setTimeout(() => notice.remove(), SHOWN_MS);
}
