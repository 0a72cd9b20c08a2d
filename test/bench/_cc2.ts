import { createVideoEncoder, concatChunks } from '@portrait-farm/media';
import { mkdirSync, copyFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
mkdirSync('/tmp/pf/chunks300', { recursive: true });
const frame = new Uint8Array(512 * 512 * 3);
const chunks: string[] = [];
const base = '/tmp/pf/chunks300/base.ts';
const enc = createVideoEncoder({ out: base, width: 512, height: 512, fps: 25, mode: 'chunk' });
for (let f = 0; f < 50; f++) { frame.fill(f * 3); await enc.write(frame); }
await enc.finish();
for (let c = 0; c < 300; c++) { const p = `/tmp/pf/chunks300/${String(c).padStart(5, '0')}.ts`; copyFileSync(base, p); chunks.push(p); }
execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', 'test/fixtures/demo-speech-20s.ogg', '-t', '600', '-c:a', 'libvorbis', '/tmp/pf/a600.ogg']);
let t = performance.now();
await concatChunks(chunks, '/tmp/pf/a600.ogg', '/tmp/pf/cc300.mp4');
console.log('concat 300 chunks + 600 s audio', (performance.now() - t).toFixed(0));
t = performance.now();
await concatChunks(chunks, null, '/tmp/pf/cc300b.mp4');
console.log('concat 300 chunks no audio', (performance.now() - t).toFixed(0));
