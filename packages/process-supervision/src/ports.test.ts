import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertPortFree, freePort, portAccepts } from './ports.ts';

describe('ports', () => {
  it('tells a free port from one another process listens on, naming the holder when told', async () => {
    const port = await freePort();
    await expect(assertPortFree(port)).resolves.toBeUndefined();
    expect(await portAccepts(port)).toBe(false);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const taken = (server.address() as AddressInfo).port;
    try {
      expect(await portAccepts(taken)).toBe(true);
      await expect(assertPortFree(taken)).rejects.toMatchObject({
        code: 'PROCESS_PORT_IN_USE',
        message: `Port ${taken} on 127.0.0.1 is already in use by another process. Stop it, or choose another port.`,
      });
      await expect(assertPortFree(taken, '127.0.0.1', async () => 'a gateway (pid 42)')).rejects.toThrow(`Port ${taken} on 127.0.0.1 is already in use by a gateway (pid 42).`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
