// The gateway's stream proxy alone, in a process of its own as the gateway is (`npm run bench:live -- --proxy`):
// every WebSocket upgrade it gets goes to the target given as the first argument, through packages/sessions'
// proxyStreamUpgrade. Prints the port it listens on (127.0.0.1), then serves until killed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerUpgrade, proxyStreamUpgrade } from '@portrait-farm/sessions';

const target = process.argv[2];
if (target === undefined) throw new Error('usage: stream-proxy-process.ts ws://host:port');
const server = createServer();
server.on('upgrade', (request, socket, head) => {
  void proxyStreamUpgrade(request, socket, head, { target }).then((outcome) => {
    if (outcome.kind === 'unreachable') answerUpgrade(socket, 502, { error: { code: 'UNREACHABLE', message: outcome.error.message } });
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
