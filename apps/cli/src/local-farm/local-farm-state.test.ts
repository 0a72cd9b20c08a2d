import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimDataDir, loadCredentials, loadOperatorKeyFile } from './local-farm-state.ts';

const root = mkdtempSync(join(tmpdir(), 'pf-farm-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a local farm data folder', () => {
  it('is claimed by one farm at a time, and a claim left by a process that is gone is taken over', async () => {
    const dir = join(root, 'claimed');
    const first = await claimDataDir(dir);
    await expect(claimDataDir(dir)).rejects.toMatchObject({
      code: 'FARM_DATA_DIR_IN_USE',
      message: expect.stringContaining(`Another local farm (pid ${process.pid}) is using ${dir}`),
    });
    await first.release();
    const second = await claimDataDir(dir);
    await second.release();

    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    writeFileSync(join(dir, 'farm.pid'), `${gone} 0123456789abcdef`);
    const third = await claimDataDir(dir);
    expect(readFileSync(join(dir, 'farm.pid'), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    await third.release();
  });

  it('stays claimed while a holder added to the claim runs (the guard stopping a killed farm\'s Redis)', async () => {
    const dir = join(root, 'held');
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const claim = await claimDataDir(dir);
      await claim.addHolder(holder.pid!);
      expect(readFileSync(claim.path, 'utf8')).toBe(claim.content);
      expect(claim.content).toMatch(new RegExp(`^${process.pid} [0-9a-f]{16} ${holder.pid}$`));
      // The farm itself is gone (its pid replaced by one of a finished process); its guard still runs.
      writeFileSync(claim.path, claim.content.replace(String(process.pid), String(gone)));
      await expect(claimDataDir(dir)).rejects.toMatchObject({
        code: 'FARM_DATA_DIR_IN_USE',
        message: expect.stringContaining(`Another local farm (pid ${holder.pid}) is using ${dir}`),
      });
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
      await (await claimDataDir(dir)).release();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('keeps the API key and secrets of its first run, readable by its owner only', async () => {
    const dir = join(root, 'credentials');
    await claimDataDir(dir).then((c) => c.release());
    const made = await loadCredentials(dir);
    expect(made.apiKey).toMatch(/^pf_local_[0-9a-f]{32}$/);
    expect(made.webhookSecret).toMatch(/^whsec_/);
    expect(await loadCredentials(dir)).toEqual(made);
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, 'credentials.json'), '{"apiKey": 3}');
    await expect(loadCredentials(dir)).rejects.toMatchObject({ code: 'FARM_BAD_CONFIG', message: expect.stringContaining('must hold apiKey, webhookSecret and presignSecret') });
    writeFileSync(join(dir, 'credentials.json'), '{not json');
    await expect(loadCredentials(dir)).rejects.toMatchObject({ code: 'FARM_BAD_CONFIG', message: expect.stringContaining('is not readable JSON') });
  });

  it('keeps the operator key of its first run in a file of its own, readable by its owner only', async () => {
    const dir = join(root, 'operator');
    await claimDataDir(dir).then((c) => c.release());
    const made = await loadOperatorKeyFile(dir);
    expect(made.path).toBe(join(dir, 'operator-key'));
    expect(made.key).toMatch(/^pf_operator_[0-9a-f]{48}$/);
    expect(await loadOperatorKeyFile(dir)).toEqual(made);
    expect(statSync(made.path).mode & 0o777).toBe(0o600);
    writeFileSync(made.path, 'short\n');
    await expect(loadOperatorKeyFile(dir)).rejects.toMatchObject({ code: 'FARM_BAD_CONFIG', message: expect.stringContaining('at least 16 characters') });
  });
});
