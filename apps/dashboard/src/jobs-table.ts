import type { DashboardActions } from './dashboard-actions.ts';
import { el } from './dom.ts';
import { ago, clock, percent } from './format.ts';
import { isTerminal } from './ops-api.ts';
import type { OpsJob } from './ops-api.ts';

export function statusPill(status: string): HTMLElement {
  return el('span', { class: `pill status-${status}`, 'data-status': status }, status);
}

export function progressBar(job: Pick<OpsJob, 'progress' | 'status'>): HTMLElement {
  const fraction = Math.min(1, Math.max(0, job.progress));
  return el(
    'div',
    { class: `progress status-${job.status}`, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(fraction * 100), 'data-progress': fraction.toFixed(3) },
    el('div', { class: 'progress-fill', style: `width: ${(fraction * 100).toFixed(1)}%` }),
  );
}

function actionsCell(job: OpsJob, actions: DashboardActions): HTMLElement {
  const stop = (event: Event): void => event.stopPropagation();
  const cell = el('td', { class: 'actions', onclick: stop });
  if (!isTerminal(job.status)) cell.append(el('button', { class: 'button button-small button-danger', type: 'button', 'data-action': 'cancel', onclick: () => actions.cancelJob(job.id) }, 'Cancel'));
  if (job.status === 'failed' || job.status === 'canceled') cell.append(el('button', { class: 'button button-small', type: 'button', 'data-action': 'retry', onclick: () => actions.retryJob(job.id) }, 'Retry'));
  return cell;
}

function jobRow(job: OpsJob, selected: boolean, actions: DashboardActions, now: number): HTMLElement {
  return el(
    'tr',
    { 'data-job-id': job.id, class: `job-row${selected ? ' is-selected' : ''}`, tabindex: 0, onclick: () => actions.selectJob(job.id), onkeydown: (event: Event) => (event as KeyboardEvent).key === 'Enter' && actions.selectJob(job.id) },
    el('td', {}, el('code', { class: 'job-id' }, job.id)),
    el('td', {}, job.tenant),
    el('td', {}, statusPill(job.status), job.error === null ? null : el('div', { class: 'job-error', title: job.error.message }, el('code', {}, job.error.code), ' ', job.error.message)),
    el('td', { class: 'progress-cell' }, progressBar(job), el('span', { class: 'progress-text', 'data-cell': 'progress' }, percent(job.progress))),
    el('td', { class: 'muted', title: clock(job.createdAt) }, ago(job.createdAt, now)),
    el('td', { class: 'muted', title: clock(job.updatedAt) }, ago(job.updatedAt, now)),
    actionsCell(job, actions),
  );
}

/** The jobs, newest first: status, progress, age, the error of a failed one, and cancel or retry. A row opens its timeline. */
export function jobsTable(jobs: readonly OpsJob[], selectedId: string | null, actions: DashboardActions, now: number, filtered: boolean): HTMLElement {
  if (jobs.length === 0) return el('p', { class: 'empty' }, filtered ? 'No jobs with this status.' : 'No jobs yet. Jobs appear here as soon as a client submits one (POST /v1/jobs).');
  return el(
    'table',
    { class: 'table table-jobs', id: 'jobs-table' },
    el('thead', {}, el('tr', {}, ...['Job', 'Tenant', 'Status', 'Progress', 'Created', 'Updated', ''].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...jobs.map((job) => jobRow(job, job.id === selectedId, actions, now))),
  );
}
