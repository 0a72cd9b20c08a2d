import type { DashboardActions } from './dashboard-actions.ts';
import { el } from './dom.ts';
import { count } from './format.ts';
import type { QueueDepth } from './ops-api.ts';

/** What each farm queue holds, in the order of a job's way through the farm. */
const QUEUE_ORDER = ['prepare', 'segment', 'audio', 'stitch', 'webhook', 'cleanup'];
const QUEUE_ROLES: Readonly<Record<string, string>> = {
  prepare: 'face, audio features, plan',
  segment: 'motion + frames per segment',
  audio: 'audio track for the stitch',
  stitch: 'chunks + audio to MP4',
  webhook: 'signed deliveries',
  cleanup: 'live-stream cleanup',
};

function rank(name: string): number {
  const at = QUEUE_ORDER.indexOf(name);
  return at === -1 ? QUEUE_ORDER.length : at;
}

function figure(label: string, value: number, kind: string): HTMLElement {
  return el('div', { class: `figure figure-${kind}${value > 0 ? '' : ' is-zero'}`, 'data-depth': kind }, el('span', { class: 'figure-value' }, count(value)), el('span', { class: 'figure-label' }, label));
}

function queueCard(queue: QueueDepth, actions: DashboardActions): HTMLElement {
  const toggle = queue.paused
    ? el('button', { class: 'button button-small', type: 'button', 'data-action': 'resume', onclick: () => actions.resumeQueue(queue.name) }, 'Resume')
    : el('button', { class: 'button button-small button-quiet', type: 'button', 'data-action': 'pause', onclick: () => actions.pauseQueue(queue.name) }, 'Pause');
  return el(
    'article',
    { class: `queue-card${queue.paused ? ' is-paused' : ''}`, 'data-queue': queue.name },
    el(
      'header',
      { class: 'queue-card-header' },
      el('div', {}, el('h3', { class: 'queue-name' }, queue.name), el('p', { class: 'queue-role' }, QUEUE_ROLES[queue.name] ?? '')),
      queue.paused ? el('span', { class: 'pill pill-paused' }, 'Paused') : null,
    ),
    el(
      'div',
      { class: 'queue-main' },
      el('span', { class: 'queue-queued', 'data-depth': 'queued' }, count(queue.waiting)),
      el('span', { class: 'queue-queued-label' }, 'waiting'),
      queue.prioritized === 0 ? null : el('span', { class: 'queue-prioritized', 'data-depth': 'prioritized' }, `${count(queue.prioritized)} by priority`),
    ),
    el('div', { class: 'figures' }, figure('active', queue.active, 'active'), figure('delayed', queue.delayed, 'delayed'), figure('failed', queue.failed, 'failed')),
    el('footer', { class: 'queue-card-footer' }, toggle),
  );
}

export function queueCards(queues: readonly QueueDepth[], actions: DashboardActions): HTMLElement {
  if (queues.length === 0) return el('p', { class: 'empty' }, 'No queues reported yet.');
  const sorted = [...queues].sort((a, b) => rank(a.name) - rank(b.name));
  return el('div', { class: 'queue-grid' }, ...sorted.map((queue) => queueCard(queue, actions)));
}
