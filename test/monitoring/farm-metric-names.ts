import { createMetrics } from '@portrait-farm/gateway';
import { createFarmMetrics } from '@portrait-farm/metrics';
import { createRedisConnection, FarmQueues } from '@portrait-farm/queue';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { Registry } from 'prom-client';

/** The series names a family gives: a histogram's _bucket, _sum and _count, a summary's _sum and _count. */
function seriesNames(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

async function namesOf(registry: Registry): Promise<string[]> {
  return (await registry.getMetricsAsJSON()).flatMap((family) => seriesNames(family.name, String(family.type)));
}

/**
 * Every series name the farm's processes export, read from their real registries: the gateway's (its queue depths
 * read from a real Redis), a worker's and a stitcher's.
 */
export async function farmMetricNames(): Promise<Set<string>> {
  const redis = await startRedisServer();
  const connection = createRedisConnection(redis.url, { role: 'worker' });
  const queues = new FarmQueues({ connection, prefix: uniquePrefix('metric-names') });
  try {
    const registries = [createMetrics(queues).registry, createFarmMetrics('worker').registry, createFarmMetrics('stitcher').registry];
    return new Set((await Promise.all(registries.map(namesOf))).flat());
  } finally {
    await queues.close();
    connection.disconnect();
    await redis.close();
  }
}

/** PromQL functions, keywords and aggregations: words of an expression that are not metric names. */
const PROMQL_WORDS = new Set([
  'sum', 'max', 'min', 'avg', 'count', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or',
  'unless', 'rate', 'irate', 'increase', 'delta', 'histogram_quantile', 'absent', 'clamp_min', 'clamp_max', 'topk',
  'bottomk', 'le', 'offset', 'bool', 'vector', 'scalar', 'time', 'sort', 'sort_desc', 'label_replace', 'avg_over_time',
  'max_over_time', 'min_over_time', 'sum_over_time', 'quantile', 'stddev',
]);

/**
 * The metric names a PromQL expression reads: identifiers outside label matchers, strings, durations and grouping
 * lists, less the language's own words (and Grafana's `$variables`).
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const words = stripped.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((word) => !PROMQL_WORDS.has(word) && !/^\d/.test(word)))];
}
