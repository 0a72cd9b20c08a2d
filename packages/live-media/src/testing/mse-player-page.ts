/**
 * A page that plays a live fragmented-MP4 stream from a WebSocket through Media Source Extensions, the way a
 * session's viewer would: the first text message names the MIME type, binary messages are the init segment and the
 * fragments, appended in order. Playback starts once `startBufferSeconds` are buffered (a player's jitter buffer);
 * with `chaseLiveEdge`, it plays at 1.1x while more than `startBufferSeconds` + 40 ms are buffered ahead, as a live
 * player keeps its delay from growing (Chromium starts playing later than asked and never catches up alone).
 * Without `connectOnLoad` the page connects when `window.connect()` is called (a viewer joining at a chosen time,
 * its page already loaded).
 * `startPosition` is the media time play() was called at (a late viewer's first buffered time).
 * Each presented frame's `requestVideoFrameCallback` metadata is kept with the frame index read back from the
 * picture (the blocks of synthetic-media.ts), in `window.playback`.
 */
export function msePlayerPage(options: { streamUrl: string; width: number; height: number; indexBits: number; startBufferSeconds: number; chaseLiveEdge: boolean; connectOnLoad: boolean }): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>live-media MSE</title>
<style>body{margin:0;background:#222;color:#eee;font:14px sans-serif} video{display:block}</style></head>
<body><video id="video" width="${options.width}" height="${options.height}" muted playsinline></video><pre id="status"></pre>
<script>
const playback = { arrivals: [], quality: null, mimeType: null, supported: null, appended: 0, frames: [], waiting: [], errors: [], started: null, startPosition: null, ended: false, audioBytes: 0, streamClosed: false };
window.playback = playback;
const video = document.getElementById('video');
const canvas = document.createElement('canvas');
canvas.width = ${options.width}; canvas.height = ${options.height};
const context = canvas.getContext('2d', { willReadFrequently: true });
const mediaSource = new MediaSource();
video.src = URL.createObjectURL(mediaSource);
const queue = [];
let sourceBuffer = null;

function appendNext() {
  if (sourceBuffer === null || sourceBuffer.updating) return;
  if (queue.length > 0) { sourceBuffer.appendBuffer(queue.shift()); return; }
  if (playback.streamClosed && mediaSource.readyState === 'open') mediaSource.endOfStream();
}

function bufferedAhead() {
  const ranges = video.buffered;
  return ranges.length === 0 ? 0 : ranges.end(ranges.length - 1) - Math.max(video.currentTime, ranges.start(0));
}

function frameIndex() {
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const block = Math.floor(canvas.width / ${options.indexBits});
  const pixels = context.getImageData(0, 0, canvas.width, block).data;
  let index = 0;
  for (let bit = 0; bit < ${options.indexBits}; bit++) {
    const x = bit * block + Math.floor(block / 2), y = Math.floor(block / 2);
    index = (index << 1) | (pixels[(y * canvas.width + x) * 4 + 1] > 128 ? 1 : 0);
  }
  return index;
}

function onFrame(now, metadata) {
  playback.frames.push({ now, wallClockMs: performance.timeOrigin + metadata.expectedDisplayTime, mediaTime: metadata.mediaTime, presentedFrames: metadata.presentedFrames, expectedDisplayTime: metadata.expectedDisplayTime, index: frameIndex() });
  video.requestVideoFrameCallback(onFrame);
}

const sourceOpen = new Promise((resolve) => mediaSource.addEventListener('sourceopen', resolve, { once: true }));
window.connect = () => sourceOpen.then(() => {
  const socket = new WebSocket(${JSON.stringify(options.streamUrl)});
  socket.binaryType = 'arraybuffer';
  socket.onmessage = (event) => {
    if (typeof event.data === 'string') {
      playback.mimeType = JSON.parse(event.data).mimeType;
      playback.supported = MediaSource.isTypeSupported(playback.mimeType);
      sourceBuffer = mediaSource.addSourceBuffer(playback.mimeType);
      sourceBuffer.addEventListener('updateend', () => {
        playback.appended += 1;
        // A viewer joining late gets fragments from the last keyframe on: playback starts where they start.
        if (playback.started === null && video.buffered.length > 0 && video.currentTime < video.buffered.start(0)) video.currentTime = video.buffered.start(0);
        if (playback.started === null && bufferedAhead() >= ${options.startBufferSeconds}) {
          playback.started = performance.now();
          playback.startPosition = video.currentTime;
          video.play().catch((error) => playback.errors.push('play: ' + error.message));
        }
        appendNext();
      });
      sourceBuffer.addEventListener('error', () => playback.errors.push('sourceBuffer error'));
      return;
    }
    playback.arrivals.push(performance.timeOrigin + performance.now());
    queue.push(event.data);
    appendNext();
  };
  socket.onclose = () => { playback.streamClosed = true; appendNext(); };
});
if (${options.connectOnLoad}) window.connect();
video.addEventListener('waiting', () => playback.waiting.push({ at: performance.now(), currentTime: video.currentTime, ahead: bufferedAhead(), seeking: video.seeking }));
video.addEventListener('ended', () => {
  const quality = video.getVideoPlaybackQuality();
  playback.quality = { total: quality.totalVideoFrames, dropped: quality.droppedVideoFrames };
  playback.audioBytes = video.webkitAudioDecodedByteCount ?? -1;
  playback.ended = true;
});
video.addEventListener('error', () => playback.errors.push('video error ' + (video.error && video.error.message)));
video.requestVideoFrameCallback(onFrame);
if (${options.chaseLiveEdge}) {
  setInterval(() => {
    if (playback.started === null) return;
    video.playbackRate = bufferedAhead() > ${options.startBufferSeconds} + 0.04 ? 1.1 : 1;
  }, 50);
}
setInterval(() => { document.getElementById('status').textContent = 'frames ' + playback.frames.length + ' t=' + video.currentTime.toFixed(2) + ' ahead ' + bufferedAhead().toFixed(2); }, 200);
</script></body></html>`;
}
