import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** What a redis-server says about itself in `INFO`. */
export interface RedisServerInfo {
  /** Its process id. */
  pid: number;
  /** Still loading its data (append-only file or snapshot): it refuses commands until done. */
  loading: boolean;
}

/** Where and how {@link redisServerInfo} asks. */
export interface RedisServerInfoOptions {
  /** @defaultValue "127.0.0.1" */
  host?: string;
  /** @defaultValue 1000 */
  timeoutMs?: number;
  /** Over TLS, trusting this CA certificate (PEM), with the name `localhost`. @defaultValue plain TCP */
  tlsCa?: string | Buffer;
}

/**
 * Asks the redis-server on the port for its process id and whether it is loading (`INFO`), null when none
 * answers. A readiness check compares the pid with the child's: a Redis left on the port by someone else must not
 * pass for ours.
 */
export function redisServerInfo(port: number, options: RedisServerInfoOptions = {}): Promise<RedisServerInfo | null> {
  const { host = '127.0.0.1', timeoutMs = 1000, tlsCa } = options;
  return new Promise((resolve) => {
    const socket = tlsCa === undefined ? connect({ host, port }) : connectTls({ host, port, ca: tlsCa, servername: 'localhost' });
    let answer = Buffer.alloc(0);
    let settled = false;
    const done = (info: RedisServerInfo | null): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once(tlsCa === undefined ? 'connect' : 'secureConnect', () => socket.write('INFO\r\n'));
    socket.on('data', (data: Buffer) => {
      answer = Buffer.concat([answer, data]);
      const header = answer.indexOf('\r\n');
      if (header < 0) return;
      // A bulk reply "$<bytes>\r\n<text>\r\n"; anything else (-LOADING, -NOAUTH, another protocol) is not an answer.
      if (answer[0] !== 0x24) return done(null);
      const size = Number(answer.subarray(1, header).toString('latin1'));
      if (answer.length < header + 2 + size) return;
      const text = answer.subarray(header + 2, header + 2 + size).toString('utf8');
      const pid = /^process_id:(\d+)\r?$/m.exec(text)?.[1];
      done(pid === undefined ? null : { pid: Number(pid), loading: /^loading:1\r?$/m.test(text) });
    });
    // Every error, not only the first: a TLS socket can report a second one (an alert from a server still starting)
    // after the first, and an error nobody listens to would end the process.
    socket.on('error', () => done(null));
    socket.once('end', () => done(null));
  });
}
