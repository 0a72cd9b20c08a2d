// Writes the OpenAPI document generated from the routes' schemas to apps/gateway/openapi.json (a test checks that
// the committed file is current). No Redis is needed: the gateway is built, asked for its document and closed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGateway } from '../src/build-gateway.ts';
import { OPENAPI_FILE, formatDocument } from '../src/openapi.ts';

const dir = await mkdtemp(join(tmpdir(), 'pf-openapi-'));
const gateway = await buildGateway({
  redisUrl: 'redis://127.0.0.1:9',
  storageUrl: dir,
  presignSecret: 'openapi-document-only',
  publicBaseUrl: 'http://127.0.0.1',
  apiKeys: { 'openapi-document-only-key': 'none' },
});
try {
  await gateway.app.ready();
  await writeFile(OPENAPI_FILE, formatDocument(gateway.app.swagger()));
  process.stdout.write(`wrote ${OPENAPI_FILE.pathname.split('/').slice(-3).join('/')}\n`);
} finally {
  await gateway.close();
  await rm(dir, { recursive: true, force: true });
}
