import { el } from './dom.ts';
import { ago, clock } from './format.ts';
import type { FarmWorker } from './ops-api.ts';

function segmentCell(worker: FarmWorker): HTMLElement {
  if (worker.segment === null) return el('span', { class: 'muted' }, '—');
  const { jobId, index, count } = worker.segment;
  return el('span', {}, el('code', { class: 'job-id', title: jobId }, jobId), ` segment ${index + 1} of ${count}`);
}

function workerRow(worker: FarmWorker, now: number): HTMLElement {
  const state = worker.alive ? worker.state : 'gone';
  return el(
    'tr',
    { 'data-worker-id': worker.id, class: worker.alive ? '' : 'is-dead' },
    el('td', {}, el('span', { class: `dot ${worker.alive ? 'dot-ok' : 'dot-bad'}`, title: worker.alive ? 'alive' : 'no heartbeat' }), el('code', { class: 'worker-id' }, worker.id)),
    el('td', { class: 'muted' }, `${worker.host} · pid ${worker.pid}`),
    el('td', {}, el('span', { class: `pill pill-provider provider-${worker.provider}` }, worker.provider)),
    el('td', {}, el('span', { class: `pill pill-worker-${state}`, 'data-state': state }, state)),
    el('td', { 'data-cell': 'segment' }, segmentCell(worker)),
    el('td', { class: 'num', 'data-cell': 'fps' }, worker.framesPerSecond === null ? '—' : worker.framesPerSecond.toFixed(1)),
    el('td', { class: 'muted', title: clock(worker.lastHeartbeatAt) }, ago(worker.lastHeartbeatAt, now)),
  );
}

/** Every worker the farm knows: alive (heartbeat), what it renders, how fast, on which execution provider. */
export function workersTable(workers: readonly FarmWorker[], now: number): HTMLElement {
  if (workers.length === 0) return el('p', { class: 'empty' }, 'No workers have reported. Start one (portrait-farm up, or the worker process) and it appears here within seconds.');
  const sorted = [...workers].sort((a, b) => Number(b.alive) - Number(a.alive) || a.id.localeCompare(b.id));
  return el(
    'table',
    { class: 'table', id: 'workers-table' },
    el('thead', {}, el('tr', {}, ...['Worker', 'Host', 'Provider', 'State', 'Current segment', 'Frames/s', 'Last heartbeat'].map((h) => el('th', { class: h === 'Frames/s' ? 'num' : '' }, h)))),
    el('tbody', {}, ...sorted.map((worker) => workerRow(worker, now))),
  );
}
