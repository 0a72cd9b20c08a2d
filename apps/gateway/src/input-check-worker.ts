import { parentPort, workerData } from 'node:worker_threads';
import type { FaceAnalyzer } from '@portrait-farm/face';
import { GatewayError } from './errors.ts';
import { openFaceAnalyzer } from './face-check.ts';
import type { CheckMessage, InputCheckWorkerData, SentError, WorkerReply } from './input-check-protocol.ts';
import { checkInputs } from './input-checks.ts';

// The input-check thread: runs checkInputs for the gateway, so that decoding, the face detector's input sampling and
// the ffprobe/ffmpeg spawns (a fork of the whole gateway process each) never hold the gateway's event loop.

const port = parentPort;
if (port === null) throw new Error('input-check-worker.ts runs as a worker thread (input-check-thread.ts).');
const { packDir } = (workerData as { data: InputCheckWorkerData }).data;

function sendable(error: unknown): SentError {
  const { name, message, code } = error instanceof Error ? (error as Error & { code?: unknown }) : { name: 'Error', message: String(error), code: undefined };
  return { gateway: error instanceof GatewayError, name, code: typeof code === 'string' ? code : null, message };
}

const reply = (message: WorkerReply): void => port.postMessage(message);
let faces: FaceAnalyzer | null = null;
try {
  faces = packDir === null ? null : await openFaceAnalyzer(packDir);
  reply({ kind: 'ready' });
} catch (error) {
  reply({ kind: 'failed', error: sendable(error) });
}

port.on('message', (message: CheckMessage | 'close') => {
  if (message === 'close') {
    void (faces?.close() ?? Promise.resolve()).finally(() => port.close());
    return;
  }
  checkInputs(message.request, faces).then(
    (facts) => reply({ kind: 'result', id: message.id, facts }),
    (error: unknown) => reply({ kind: 'error', id: message.id, error: sendable(error) }),
  );
});
