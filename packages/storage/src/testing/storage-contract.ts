import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../errors.ts';
import type { ObjectStorage } from '../object-storage.ts';

export interface ContractSubject {
  storage: ObjectStorage;
  /** Extra clean-up (servers, directories) after the suite. */
  dispose(): Promise<void>;
}

const MB = 1024 * 1024;

/** Deterministic pseudo-random bytes as a stream of 1 MiB chunks, with their sha256 computed on the fly. */
function patternStream(totalBytes: number, seed: number): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let produced = 0;
  let state = seed >>> 0;
  const stream = new Readable({
    read() {
      if (produced >= totalBytes) {
        this.push(null);
        return;
      }
      const size = Math.min(MB, totalBytes - produced);
      const chunk = Buffer.allocUnsafe(size);
      for (let i = 0; i < size; i += 4) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        chunk.writeUInt32LE(state, i);
      }
      hash.update(chunk);
      produced += size;
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

async function sha256Of(stream: Readable): Promise<{ hex: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).byteLength;
  }
  return { hex: hash.digest('hex'), size };
}

async function expectStorageError(promise: Promise<unknown>, code: string, mention?: string): Promise<void> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe(code);
  if (mention !== undefined) expect((error as StorageError).message).toContain(mention);
}

const BAD_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['../escape', '".."'],
  ['a/../../b', '".."'],
  ['/absolute', 'starts with "/"'],
  ['back\\slash', 'backslash'],
  ['ctrl\u0000char', 'control character'],
  ['new\nline', 'control character'],
  ['double//slash', 'empty segment'],
  ['trailing/', 'empty segment'],
  ['dot/./segment', '"." segment'],
  [`${'k/'.repeat(512)}x`, 'bytes long'],
  ['x'.repeat(256), 'segment of 256 bytes'],
  ['', 'non-empty'],
];

/**
 * The behaviour every ObjectStorage driver must share. Each test works under its own random prefix, so
 * suites may share one bucket or directory.
 */
export function describeStorageContract(
  name: string,
  capabilities: { checksPresignedSignatures: boolean },
  open: () => Promise<ContractSubject>,
): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let subject: ContractSubject;
    let storage: ObjectStorage;
    let scratch: string;
    const unique = () => `t-${randomUUID().slice(0, 8)}/`;

    beforeAll(async () => {
      subject = await open();
      storage = subject.storage;
      scratch = await mkdtemp(join(tmpdir(), 'pf-storage-contract-'));
    });
    afterAll(async () => {
      await storage?.close();
      await subject?.dispose();
      if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
    });

    it('is ready', async () => {
      await expect(storage.check()).resolves.toBeUndefined();
    });

    it('round-trips small bodies of every kind and reports them with head', async () => {
      const p = unique();
      await storage.put(`${p}buffer.bin`, Buffer.from('hello buffer'), { contentType: 'text/plain' });
      await storage.put(`${p}uint8.bin`, new Uint8Array([1, 2, 3, 250]));
      await storage.put(`${p}stream.bin`, Readable.from([Buffer.from('hello '), Buffer.from('stream')]));
      const file = join(scratch, 'source.txt');
      await writeFile(file, 'hello file');
      await storage.put(`${p}file.txt`, { path: file });
      await storage.put(`${p}empty`, Buffer.alloc(0));

      expect((await storage.get(`${p}buffer.bin`)).toString()).toBe('hello buffer');
      expect([...(await storage.get(`${p}uint8.bin`))]).toEqual([1, 2, 3, 250]);
      expect((await storage.get(`${p}stream.bin`)).toString()).toBe('hello stream');
      expect((await storage.get(`${p}file.txt`)).toString()).toBe('hello file');
      expect((await storage.get(`${p}empty`)).length).toBe(0);

      const info = await storage.head(`${p}buffer.bin`);
      expect(info?.size).toBe(12);
      expect(info?.lastModified).toBeInstanceOf(Date);
      expect(Math.abs((info?.lastModified.getTime() ?? 0) - Date.now())).toBeLessThan(120_000);
      if (info?.contentType !== null) expect(info?.contentType).toBe('text/plain');
      expect(await storage.exists(`${p}buffer.bin`)).toBe(true);
      expect(await storage.exists(`${p}missing`)).toBe(false);
      expect(await storage.head(`${p}missing`)).toBeNull();
    });

    it('replaces an object on put and reports a missing one as STORAGE_NOT_FOUND', async () => {
      const p = unique();
      await storage.put(`${p}k`, Buffer.from('first'));
      await storage.put(`${p}k`, Buffer.from('second, longer'));
      expect((await storage.get(`${p}k`)).toString()).toBe('second, longer');
      await expectStorageError(storage.get(`${p}nothing`), 'STORAGE_NOT_FOUND', `${p}nothing`);
      await expectStorageError(storage.getStream(`${p}nothing`), 'STORAGE_NOT_FOUND', `${p}nothing`);
      await expectStorageError(storage.getToFile(`${p}nothing`, join(scratch, 'x')), 'STORAGE_NOT_FOUND');
    });

    it('streams a 20 MB body in and out intact (sha256)', async () => {
      const p = unique();
      const size = 20 * MB;
      const source = patternStream(size, 0x5eed);
      let started = performance.now();
      await storage.put(`${p}big.bin`, source.stream, { contentType: 'application/octet-stream' });
      const putMs = performance.now() - started;
      const expected = source.sha256();
      expect((await storage.head(`${p}big.bin`))?.size).toBe(size);

      started = performance.now();
      const streamed = await sha256Of(await storage.getStream(`${p}big.bin`));
      const getMs = performance.now() - started;
      expect(streamed).toEqual({ hex: expected, size });

      const whole = await storage.get(`${p}big.bin`);
      expect(createHash('sha256').update(whole).digest('hex')).toBe(expected);

      const target = join(scratch, 'nested', 'download.bin');
      expect(await storage.getToFile(`${p}big.bin`, target)).toBe(size);
      expect(createHash('sha256').update(await readFile(target)).digest('hex')).toBe(expected);
      expect((await readdir(join(scratch, 'nested'))).sort()).toEqual(['download.bin']);

      const mbps = (ms: number) => ((size / MB) / (ms / 1000)).toFixed(0);
      console.log(`[${name}] 20 MiB streamed put ${putMs.toFixed(0)} ms (${mbps(putMs)} MiB/s), streamed get ${getMs.toFixed(0)} ms (${mbps(getMs)} MiB/s)`);
    });

    it('keeps the previous object when a body stream fails midway, also past the first multipart part', async () => {
      const p = unique();
      await storage.put(`${p}chunk.mp4`, Buffer.from('complete'));
      for (const failAfter of [64 * 1024, 9 * MB]) {
        let sent = 0;
        const failing = new Readable({
          read() {
            if (sent >= failAfter) {
              this.destroy(new Error('client went away'));
              return;
            }
            sent += MB / 4;
            this.push(Buffer.alloc(MB / 4, 7));
          },
        });
        await expectStorageError(storage.put(`${p}chunk.mp4`, failing), 'STORAGE_IO', `${p}chunk.mp4`);
        expect((await storage.get(`${p}chunk.mp4`)).toString()).toBe('complete');
      }
      expect(await storage.list(p)).toEqual([`${p}chunk.mp4`]);
    });

    it('lists keys under a prefix in byte order, with paging', async () => {
      const p = unique();
      const keys = Array.from({ length: 12 }, (_, i) => `${p}a/${String(i).padStart(2, '0')}`);
      for (const key of [...keys].reverse()) await storage.put(key, Buffer.from(key));
      await storage.put(`${p}a/deep/er/x`, Buffer.from('x'));
      await storage.put(`${p}ab/y`, Buffer.from('y'));
      await storage.put(`${p}b/z`, Buffer.from('z'));

      const all = await storage.list(`${p}a/`);
      expect(all).toEqual([...keys, `${p}a/deep/er/x`]);
      expect(await storage.list(`${p}a`)).toEqual([...keys, `${p}a/deep/er/x`, `${p}ab/y`]);
      expect(await storage.list(`${p}a/0`)).toEqual(keys.slice(0, 10));
      expect(await storage.list(`${p}nothing/`)).toEqual([]);

      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await storage.list(`${p}a/`, { limit: 5, ...(after === undefined ? {} : { after }) });
        if (page.length === 0) break;
        pages.push(page);
        after = page[page.length - 1];
      }
      expect(pages.map((page) => page.length)).toEqual([5, 5, 3]);
      expect(pages.flat()).toEqual(all);
    });

    it('deletes single objects and whole prefixes', async () => {
      const p = unique();
      for (let i = 0; i < 7; i++) await storage.put(`${p}job/chunks/${i}.mp4`, Buffer.from([i]));
      await storage.put(`${p}job/plan.json`, Buffer.from('{}'));
      await storage.put(`${p}jobx/keep`, Buffer.from('keep'));

      await storage.delete(`${p}job/plan.json`);
      await storage.delete(`${p}job/plan.json`);
      expect(await storage.exists(`${p}job/plan.json`)).toBe(false);

      expect(await storage.deletePrefix(`${p}job/`)).toBe(7);
      expect(await storage.list(`${p}job/`)).toEqual([]);
      expect(await storage.list(p)).toEqual([`${p}jobx/keep`]);
      expect(await storage.deletePrefix(`${p}job/`)).toBe(0);
      await expectStorageError(storage.deletePrefix(''), 'STORAGE_BAD_PREFIX');
    });

    it('presigns a GET that fetch can download, and that stops working when tampered with', async () => {
      const p = unique();
      const body = Buffer.from(`presigned ${p}`);
      await storage.put(`${p}dir/file name+odd.txt`, body);
      const url = await storage.presignGet(`${p}dir/file name+odd.txt`, { expiresSeconds: 60 });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(body);

      const tampered = url.replace(/(sig|Signature)=([^&])/, (_m, name: string, c: string) => `${name}=${c === 'A' ? 'B' : 'A'}`);
      expect(tampered).not.toBe(url);
      if (capabilities.checksPresignedSignatures) {
        const refused = await fetch(tampered);
        expect(refused.status).toBe(403);
        await refused.arrayBuffer();
      }
      await expectStorageError(storage.presignGet(`${p}x`, { expiresSeconds: 0 }), 'STORAGE_BAD_OPTION', 'expiresSeconds');
    });

    it('putIfAbsent creates once and then leaves the object alone', async () => {
      const p = unique();
      expect(await storage.putIfAbsent(`${p}chunk-0001.mp4`, Buffer.from('first'))).toBe(true);
      expect(await storage.putIfAbsent(`${p}chunk-0001.mp4`, Buffer.from('second'))).toBe(false);
      expect((await storage.get(`${p}chunk-0001.mp4`)).toString()).toBe('first');
      expect(await storage.putIfAbsent(`${p}from-stream`, Readable.from([Buffer.from('s')]))).toBe(true);
      expect((await storage.get(`${p}from-stream`)).toString()).toBe('s');
    });

    it.each(BAD_KEYS)('rejects the bad key %j before touching the store', async (key, problem) => {
      const shown = key.length > 120 ? key.slice(0, 40) : key.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\u0000/g, '\\u0000');
      await expectStorageError(storage.put(key, Buffer.from('x')), 'STORAGE_BAD_KEY', problem);
      await expectStorageError(storage.put(key, Buffer.from('x')), 'STORAGE_BAD_KEY', shown);
      await expectStorageError(storage.putIfAbsent(key, Buffer.from('x')), 'STORAGE_BAD_KEY');
      await expectStorageError(storage.get(key), 'STORAGE_BAD_KEY');
      await expectStorageError(storage.getStream(key), 'STORAGE_BAD_KEY');
      await expectStorageError(storage.head(key), 'STORAGE_BAD_KEY');
      await expectStorageError(storage.delete(key), 'STORAGE_BAD_KEY');
      await expectStorageError(storage.presignGet(key), 'STORAGE_BAD_KEY');
    });

    it('accepts keys up to 1024 bytes and unicode names', async () => {
      const p = unique();
      const base = p + Array.from({ length: 9 }, () => 's'.repeat(110)).join('/');
      const key = base + 'z'.repeat(1024 - Buffer.byteLength(base));
      expect(Buffer.byteLength(key)).toBe(1024);
      await storage.put(key, Buffer.from('long'));
      expect((await storage.get(key)).toString()).toBe('long');
      await storage.put(`${p}stimme-ü-声.wav`, Buffer.from('unicode'));
      expect(await storage.list(`${p}stimme`)).toEqual([`${p}stimme-ü-声.wav`]);
    });
  });
}
