import { QueueError } from './errors.ts';

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** `host:port` (an IPv6 address in brackets) of a server listed in `variable`; else QUEUE_BAD_OPTION naming it. */
export function parseHostPort(address: string, variable: string): { host: string; port: number } {
  const match = HOST_PORT.exec(address);
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65_535) {
    throw new QueueError('QUEUE_BAD_OPTION', `${variable} must list host:port (an IPv6 address in brackets). Given: ${JSON.stringify(address)}.`);
  }
  return { host: match[1] ?? match[2] ?? '', port };
}
