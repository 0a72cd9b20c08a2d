import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

type Connector = new (options: object) => { connect(onError: unknown): Promise<EventEmitter> };

// ioredis exports no value for its standalone connector; its CommonJS module is read directly.
const { default: StandaloneConnector } = createRequire(import.meta.url)('ioredis/built/connectors/StandaloneConnector.js') as { default: Connector };

/**
 * ioredis's standalone connector, whose streams keep an 'error' listener for good. ioredis listens once for a
 * stream's error; a TLS socket whose handshake failed can report a second one (the peer's alert, e.g.
 * ERR_SSL_TLSV1_ALERT_DECODE_ERROR), which would otherwise be an uncaught exception that ends the process.
 */
export class TlsStreamConnector extends StandaloneConnector {
  override async connect(onError: unknown): Promise<EventEmitter> {
    const stream = await super.connect(onError);
    stream.on('error', () => {});
    return stream;
  }
}
