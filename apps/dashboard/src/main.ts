import { confirmAction } from './confirm-dialog.ts';
import type { DashboardActions } from './dashboard-actions.ts';
import { byId, el, show } from './dom.ts';
import { clock } from './format.ts';
import { jobsTable } from './jobs-table.ts';
import { jobTimeline } from './job-timeline.ts';
import { openLiveStream } from './live-stream.ts';
import type { StreamState } from './live-stream.ts';
import { notify } from './notices.ts';
import { EVENTS_URL, isTerminal, JOB_FILTERS, OpsApiError, opsApi } from './ops-api.ts';
import type { JobFilter, JobTimeline, OpsJob, OpsOverview } from './ops-api.ts';
import { queueCards } from './queue-cards.ts';
import { throughputCharts } from './throughput-charts.ts';
import { workersTable } from './workers-table.ts';

// The page: reads the overview and the jobs once, then follows the live stream; views are drawn again from the state.

/** A running job's timeline is read again this often: a stage starting is no job event. */
const TIMELINE_POLL_MS = 3000;
const CLOCK_TICK_MS = 5000;

interface DashboardState {
  overview: OpsOverview | null;
  overviewError: string | null;
  overviewAt: number | null;
  jobs: OpsJob[];
  next: string | null;
  /** Pages read with Load more beyond the first. */
  extraPages: number;
  jobsError: string | null;
  filter: JobFilter | null;
  selectedId: string | null;
  timeline: JobTimeline | null;
  timelineError: string | null;
}

const state: DashboardState = {
  overview: null,
  overviewError: null,
  overviewAt: null,
  jobs: [],
  next: null,
  extraPages: 0,
  jobsError: null,
  filter: null,
  selectedId: null,
  timeline: null,
  timelineError: null,
};

function messageOf(error: unknown): string {
  if (error instanceof OpsApiError && error.status === 401) {
    // The session expired or the key changed: the gateway shows the login form again.
    window.location.reload();
  }
  return error instanceof Error ? error.message : String(error);
}

function errorBox(what: string, message: string): HTMLElement {
  return el('div', { class: 'error-box', role: 'alert' }, el('strong', {}, what), ' ', message);
}

function drawOverview(): void {
  const { overview, overviewError } = state;
  if (overview === null) {
    const placeholder = overviewError === null ? el('p', { class: 'loading' }, 'Loading…') : errorBox('The overview cannot be read.', overviewError);
    for (const id of ['queues', 'charts', 'workers', 'stitchers']) show(byId(id), placeholder.cloneNode(true));
    return;
  }
  const now = Date.now();
  show(byId('queues'), overviewError === null ? null : errorBox('Live data is stale.', overviewError), queueCards(overview.queues, actions));
  show(byId('charts'), throughputCharts(overview.throughput));
  drawProcesses(overview, now);
  byId('updated').textContent = state.overviewAt === null ? '' : `Updated ${clock(new Date(state.overviewAt).toISOString())}`;
}

function drawProcesses(overview: OpsOverview, now: number): void {
  show(byId('workers'), workersTable(overview.workers, now, 'worker'));
  show(byId('stitchers'), workersTable(overview.stitchers, now, 'stitcher'));
  const alive = overview.workers.filter((w) => w.alive);
  const busy = (state: string): number => alive.filter((w) => w.state === state).length;
  byId('workers-summary').textContent = `${alive.length} alive · ${busy('preparing')} preparing · ${busy('rendering')} rendering`;
  const stitchers = overview.stitchers.filter((s) => s.alive);
  byId('stitchers-summary').textContent = `${stitchers.length} alive · ${stitchers.filter((s) => s.state === 'stitching').length} stitching`;
}

/** The last jobs read stay shown under an error, marked as what the page last knew. */
function drawJobs(): void {
  const known = state.jobs.length > 0 || state.jobsError === null;
  const table = known ? jobsTable(state.jobs, state.selectedId, actions, Date.now(), state.filter !== null) : null;
  show(byId('jobs'), state.jobsError === null ? null : errorBox('The jobs cannot be read; showing the last known.', state.jobsError), table);
  byId('jobs-more').hidden = state.next === null;
}

function drawTimeline(): void {
  const container = byId('timeline');
  if (state.selectedId === null) return show(container, el('p', { class: 'empty' }, 'Select a job in the list to see its timeline: prepare, each segment and the worker that rendered it, stitch.'));
  const problem = state.timelineError === null ? null : errorBox(`The timeline of ${state.selectedId} cannot be read.`, state.timelineError);
  if (state.timeline === null) return show(container, problem ?? el('p', { class: 'loading' }, 'Loading…'));
  show(container, problem, jobTimeline(state.timeline, Date.now()));
}

function drawConnection(stream: StreamState): void {
  const badge = byId('connection');
  badge.dataset['state'] = stream;
  badge.textContent = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }[stream];
}

async function loadOverview(): Promise<void> {
  try {
    state.overview = await opsApi.overview();
    state.overviewAt = Date.now();
    state.overviewError = null;
  } catch (error) {
    state.overviewError = messageOf(error);
  }
  drawOverview();
}

async function loadJobs(more = false): Promise<void> {
  try {
    const page = await opsApi.jobs(state.filter, more ? state.next : null);
    state.jobs = more ? [...state.jobs, ...page.jobs.filter((j) => !state.jobs.some((k) => k.id === j.id))] : page.jobs;
    state.next = page.next;
    state.extraPages = more ? state.extraPages + 1 : 0;
    state.jobsError = null;
  } catch (error) {
    state.jobsError = messageOf(error);
  }
  drawJobs();
}

/** The first page again: replaces the list, or, after Load more, updates and adds its rows and keeps the rest. */
async function refreshJobs(): Promise<void> {
  if (state.extraPages === 0) return loadJobs();
  try {
    for (const job of (await opsApi.jobs(state.filter, null)).jobs) upsertJob(job);
    state.jobsError = null;
  } catch (error) {
    state.jobsError = messageOf(error);
  }
  drawJobs();
}

async function loadTimeline(): Promise<void> {
  const id = state.selectedId;
  if (id === null) return;
  try {
    const timeline = await opsApi.timeline(id);
    if (state.selectedId !== id) return;
    state.timeline = timeline;
    state.timelineError = null;
  } catch (error) {
    if (state.selectedId !== id) return;
    state.timelineError = messageOf(error);
  }
  drawTimeline();
}

/** A job's row updated, added in its place (newest first) when new, or dropped when it leaves the filter. */
function upsertJob(job: OpsJob): void {
  const at = state.jobs.findIndex((j) => j.id === job.id);
  const shown = state.filter === null || (JOB_FILTERS[state.filter] ?? []).includes(job.status);
  if (at === -1 && shown) state.jobs = [job, ...state.jobs].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  else if (at !== -1 && shown) state.jobs[at] = job;
  else if (at !== -1) state.jobs.splice(at, 1);
}

/** A job changed (live event). */
function applyJob(job: OpsJob): void {
  upsertJob(job);
  drawJobs();
  if (job.id === state.selectedId) void loadTimeline();
}

/** A job was deleted (live event): its row goes, and its timeline if shown. */
function removeJob(id: string): void {
  state.jobs = state.jobs.filter((j) => j.id !== id);
  if (state.selectedId === id) {
    state.selectedId = null;
    state.timeline = null;
    state.timelineError = null;
    drawTimeline();
  }
  drawJobs();
}

async function act<T>(run: () => Promise<T>, done: (answer: T) => string): Promise<void> {
  try {
    notify('ok', done(await run()));
  } catch (error) {
    notify('error', messageOf(error));
  }
  await Promise.all([loadOverview(), refreshJobs(), loadTimeline()]);
}

const actions: DashboardActions = {
  async pauseQueue(name) {
    const ok = await confirmAction({ title: `Pause the ${name} queue?`, message: `Workers finish the ${name} steps they are running and start no new ones until the queue is resumed. Jobs keep their place.`, confirmLabel: 'Pause queue', danger: true });
    if (ok) await act(() => opsApi.pauseQueue(name), () => `The ${name} queue is paused.`);
  },
  async resumeQueue(name) {
    const ok = await confirmAction({ title: `Resume the ${name} queue?`, message: `Workers take ${name} steps again, in order.`, confirmLabel: 'Resume queue', danger: false });
    if (ok) await act(() => opsApi.resumeQueue(name), () => `The ${name} queue is running again.`);
  },
  async cancelJob(id) {
    const ok = await confirmAction({ title: 'Cancel this job?', message: `Job ${id} stops within seconds; what it rendered is discarded and its webhook reports job.canceled.`, confirmLabel: 'Cancel job', danger: true });
    if (ok) await act(() => opsApi.cancelJob(id), () => `Job ${id} is canceled.`);
  },
  async retryJob(id) {
    const ok = await confirmAction({ title: 'Retry this job?', message: `A new job is queued with the inputs and options of job ${id}; the new job names it as the one it retries.`, confirmLabel: 'Retry job', danger: false });
    if (ok) await act(
        () => opsApi.retryJob(id),
        (retry) => {
          upsertJob(retry);
          return `Job ${id} is retried as job ${retry.id}, queued.`;
        },
      );
  },
  selectJob(id) {
    if (state.selectedId === id) return;
    state.selectedId = id;
    state.timeline = null;
    state.timelineError = null;
    drawJobs();
    drawTimeline();
    void loadTimeline();
    byId('timeline-section').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  },
};

function setUpFilter(): void {
  const select = byId<HTMLSelectElement>('job-filter');
  select.replaceChildren(el('option', { value: '' }, 'All statuses'), ...Object.entries(JOB_FILTERS).map(([f, statuses]) => el('option', { value: f, title: statuses.join(', ') }, f)));
  select.addEventListener('change', () => {
    state.filter = select.value === '' ? null : select.value;
    state.jobs = [];
    state.next = null;
    void loadJobs();
  });
  byId('jobs-more').addEventListener('click', () => void loadJobs(true));
}

function start(): void {
  setUpFilter();
  drawOverview();
  drawTimeline();
  void loadOverview();
  void loadJobs();
  openLiveStream(EVENTS_URL, {
    overview(overview) {
      state.overview = overview;
      state.overviewAt = Date.now();
      state.overviewError = null;
      drawOverview();
    },
    job: applyJob,
    jobDeleted: removeJob,
    opened() {
      void refreshJobs();
      void loadTimeline();
    },
    state: drawConnection,
  });
  // Relative times ("12 s ago") move on without events.
  window.setInterval(() => {
    if (state.overview !== null) drawProcesses(state.overview, Date.now());
  }, CLOCK_TICK_MS);
  window.setInterval(() => {
    if (state.timeline !== null && !isTerminal(state.timeline.status)) void loadTimeline();
  }, TIMELINE_POLL_MS);
}

start();
