/** What the views ask of the page; each action asks for confirmation and reports its outcome itself. */
export interface DashboardActions {
  pauseQueue(name: string): void;
  resumeQueue(name: string): void;
  cancelJob(id: string): void;
  retryJob(id: string): void;
  selectJob(id: string): void;
}
