import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { commandCalls, countsAdded, formatTable, infoNumber, objectKindOf, parseRedisInfo, percentile } from './capacity-figures.ts';
import { startS3CountingProxy } from './s3-counting-proxy.ts';

describe('capacity figures', () => {
  it('reads INFO fields and the calls of commandstats, and what grew between two readings', () => {
    const before = parseRedisInfo('# Commandstats\r\ncmdstat_get:calls=3,usec=9,usec_per_call=3.00\r\ncmdstat_evalsha:calls=10,usec=50\r\n\r\n# CPU\r\nused_cpu_sys:1.5\r\n');
    const after = parseRedisInfo('cmdstat_get:calls=3,usec=9\ncmdstat_evalsha:calls=14,usec=70\ncmdstat_hset:calls=2,usec=4\nused_cpu_sys:2.25\n');
    expect(infoNumber(after, 'used_cpu_sys') - infoNumber(before, 'used_cpu_sys')).toBe(0.75);
    expect(countsAdded(commandCalls(before), commandCalls(after))).toEqual(new Map([['evalsha', 4], ['hset', 2]]));
    expect(() => infoNumber(after, 'used_cpu_user')).toThrow(/no numeric field "used_cpu_user"/);
  });

  it('names the kind of farm object an S3 request is about', () => {
    expect(objectKindOf('/farm/capacity/jobs/job_1/input/image.png')).toBe('input');
    expect(objectKindOf('/farm/capacity/jobs/job_1/chunks/00003.ts?x-id=PutObject')).toBe('chunk');
    expect(objectKindOf('/farm/capacity/jobs/job_1/work/clip.bin')).toBe('clip');
    expect(objectKindOf('/farm/capacity/jobs/job_1/work/relay-4.bin')).toBe('relay');
    expect(objectKindOf('/farm/capacity/jobs/job_1/work/audio.m4a')).toBe('track');
    expect(objectKindOf('/farm/capacity/jobs/job_1/output.mp4')).toBe('output');
    expect(objectKindOf('/farm/capacity/jobs/job_1/output.manifest.json')).toBe('manifest');
    expect(objectKindOf('/farm?list-type=2&prefix=capacity%2Fjobs%2Fjob_1%2Fchunks%2F')).toBe('chunk');
    expect(objectKindOf('/farm?delete')).toBe('other');
  });

  it('takes nearest-rank percentiles and refuses one outside 0-100', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(values, 101)).toThrow('between 0 and 100. Passed: 101');
  });

  it('lays out a table and refuses a row of the wrong width', () => {
    expect(formatTable(['mode', 'workers'], [['single', '10'], ['cluster', '1000']])).toBe(
      ['mode     workers', '-------  -------', 'single        10', 'cluster     1000'].join('\n'),
    );
    expect(() => formatTable(['a', 'b'], [['1']])).toThrow(/Every table row has 2 cells/);
  });
});

describe('S3 counting proxy', () => {
  it('forwards requests unchanged and counts requests and body bytes by method and kind', async () => {
    const upstream = createServer((request, response) => {
      const parts: Buffer[] = [];
      request.on('data', (part: Buffer) => parts.push(part));
      request.on('end', () => response.end(request.method === 'GET' ? 'x'.repeat(300) : `${request.headers['host']} ${Buffer.concat(parts).length}`));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const proxy = await startS3CountingProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    try {
      const put = await fetch(`${proxy.endpoint}/farm/p/jobs/job_1/chunks/00000.ts`, { method: 'PUT', body: Buffer.alloc(1000) });
      expect(await put.text()).toBe(`${new URL(proxy.endpoint).host} 1000`);
      expect((await (await fetch(`${proxy.endpoint}/farm/p/jobs/job_1/output.mp4`)).text()).length).toBe(300);
      expect(Object.fromEntries(proxy.counts())).toEqual({
        'PUT chunk': { requests: 1, bytesIn: 1000, bytesOut: `${new URL(proxy.endpoint).host} 1000`.length },
        'GET output': { requests: 1, bytesIn: 0, bytesOut: 300 },
      });
      proxy.reset();
      expect(proxy.counts().size).toBe(0);
    } finally {
      await proxy.close();
      upstream.close();
    }
  });
});
