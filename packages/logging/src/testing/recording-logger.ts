import type { FarmLogger, LogFields } from '../farm-logger.ts';

/** One entry a {@link recordingLogger} took: its level, fields and message. */
export interface RecordedEntry {
  level: 'info' | 'warn' | 'error';
  fields: LogFields;
  msg: string;
}

/** A logger that keeps every entry, for tests that check what a step logged. */
export function recordingLogger(): FarmLogger & { readonly entries: RecordedEntry[]; events(name: string): LogFields[] } {
  const entries: RecordedEntry[] = [];
  const take = (level: RecordedEntry['level']) => (fields: LogFields, msg: string): void => {
    entries.push({ level, fields, msg });
  };
  return {
    entries,
    info: take('info'),
    warn: take('warn'),
    error: take('error'),
    events: (name) => entries.filter((entry) => entry.fields['event'] === name).map((entry) => entry.fields),
  };
}
