import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@portrait-farm/process-supervision';
import { describe, expect, it } from 'vitest';
import { describePortHolder, GATEWAY_PID_HEADER, gatewayAnswers } from './gateway-readiness.ts';

async function serve(headers: Record<string, string>): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json', ...headers }).end('{"status":"ready"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("the local farm's gateway readiness", () => {
  it('is ready only when its own gateway answers, and fails at once when another process holds the port', async () => {
    const unused = await freePort();
    expect(await gatewayAnswers(`http://127.0.0.1:${unused}`, 1234)).toBe(false);
    expect(await describePortHolder(unused)).toBeNull();

    const gateway = await serve({ [GATEWAY_PID_HEADER]: '1234' });
    try {
      expect(await gatewayAnswers(gateway.url, 1234)).toBe(true);
      // A gateway an earlier farm left on the port answers /readyz 200 too: it is not this farm's.
      await expect(gatewayAnswers(gateway.url, 5678)).rejects.toMatchObject({
        code: 'FARM_PROCESS_FAILED',
        message: `${gateway.url} answers from another process (a portrait-farm gateway, pid 1234), not from this farm's gateway (pid 5678): the port is taken. Stop that process, or choose another port (--port).`,
      });
      expect(await describePortHolder(gateway.port)).toBe('a portrait-farm gateway (pid 1234)');
    } finally {
      await gateway.close();
    }
    const other = await serve({});
    try {
      await expect(gatewayAnswers(other.url, 5678)).rejects.toThrow('answers from another process (not a portrait-farm gateway)');
      expect(await describePortHolder(other.port)).toBeNull();
    } finally {
      await other.close();
    }
  });
});
