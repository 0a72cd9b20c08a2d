import { el } from './dom.ts';
import { ago, clock } from './format.ts';
import type { FarmWorker } from './ops-api.ts';

function jobCode(jobId: string): HTMLElement {
  return el('code', { class: 'job-id', title: jobId }, jobId);
}

/** What the process works on: the segment it renders, else the job it prepares or stitches. */
function workCell(process: FarmWorker): HTMLElement {
  if (process.segment !== null) {
    const { jobId, index, count } = process.segment;
    return el('span', {}, jobCode(jobId), ` segment ${index + 1} of ${count}`);
  }
  if (process.jobId === null || process.state === 'idle') return el('span', { class: 'muted' }, '—');
  return el('span', {}, jobCode(process.jobId), process.state === 'preparing' ? ' prepare' : process.state === 'stitching' ? ' stitch' : '');
}

function processRow(process: FarmWorker, now: number): HTMLElement {
  const state = process.alive ? process.state : 'gone';
  const isWorker = process.role === 'worker';
  return el(
    'tr',
    { 'data-worker-id': process.id, class: process.alive ? '' : 'is-dead' },
    el('td', {}, el('span', { class: `dot ${process.alive ? 'dot-ok' : 'dot-bad'}`, title: process.alive ? 'alive' : 'no heartbeat' }), el('code', { class: 'worker-id' }, process.id)),
    el('td', { class: 'muted' }, `${process.host} · pid ${process.pid}`),
    isWorker ? el('td', {}, el('span', { class: `pill pill-provider provider-${process.provider}` }, process.provider)) : null,
    el('td', {}, el('span', { class: `pill pill-worker-${state}`, 'data-state': state }, state)),
    el('td', { 'data-cell': 'work' }, workCell(process)),
    isWorker ? el('td', { class: 'num', 'data-cell': 'fps' }, process.framesPerSecond === null ? '—' : process.framesPerSecond.toFixed(1)) : null,
    el('td', { class: 'muted', title: clock(process.lastHeartbeatAt) }, ago(process.lastHeartbeatAt, now)),
  );
}

const HEADINGS = {
  worker: ['Worker', 'Host', 'Provider', 'State', 'Current work', 'Frames/s', 'Last heartbeat'],
  stitcher: ['Stitcher', 'Host', 'State', 'Current work', 'Last heartbeat'],
} as const;

const EMPTY = {
  worker: 'No workers have reported. Start one (portrait-farm up, or the worker process) and it appears here within seconds.',
  stitcher: 'No stitchers have reported. Start one (portrait-farm up, or the stitcher process) and it appears here within seconds.',
} as const;

/**
 * The farm's workers or stitchers: alive (heartbeat), what each works on; for workers also how fast and on which
 * execution provider.
 */
export function workersTable(processes: readonly FarmWorker[], now: number, role: FarmWorker['role'] = 'worker'): HTMLElement {
  if (processes.length === 0) return el('p', { class: 'empty' }, EMPTY[role]);
  const sorted = [...processes].sort((a, b) => Number(b.alive) - Number(a.alive) || a.id.localeCompare(b.id));
  return el(
    'table',
    { class: 'table', id: `${role}s-table` },
    el('thead', {}, el('tr', {}, ...HEADINGS[role].map((h) => el('th', { class: h === 'Frames/s' ? 'num' : '' }, h)))),
    el('tbody', {}, ...sorted.map((process) => processRow(process, now))),
  );
}
