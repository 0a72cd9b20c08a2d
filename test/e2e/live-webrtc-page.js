// The page side of test/e2e/live-webrtc.test.ts, run in Chromium: a session client over WebRTC (the WebSocket for
// signalling, audio in and events; an RTCPeerConnection answering the session's offer, no trickle) and what the
// test reads back: every presented frame (requestVideoFrameCallback), the messages, getStats.

/** What the page keeps for the test. */
const record = { frames: [], messages: [], connectedAt: null, speechSentAt: null, errors: [], samples: [] };
let socket = null;
let peer = null;
/** The video receiver and its jitterBufferTarget, held for the sound as the demo page does (apps/live-demo av-sync.ts, loaded before this). */
let picture = null;

/** Connects to the session's stream URL (with transport=webrtc) and plays it in the page's <video>. */
function startClient(url) {
  const video = document.querySelector('video');
  socket = new WebSocket(url);
  peer = new RTCPeerConnection();
  peer.ontrack = (event) => {
    if (event.track.kind === 'video') {
      picture = { receiver: event.receiver, targetMs: VIDEO_TARGET_START_MS };
      event.receiver.jitterBufferTarget = picture.targetMs;
    }
    if (video.srcObject !== event.streams[0]) video.srcObject = event.streams[0];
    video.play().catch((error) => record.errors.push(String(error)));
  };
  peer.onconnectionstatechange = () => {
    if (peer.connectionState === 'connected') {
      record.connectedAt = performance.now();
      sampleStats();
    }
  };
  const onFrame = (now, metadata) => {
    record.frames.push({ at: now, presentedFrames: metadata.presentedFrames, rtpTimestamp: metadata.rtpTimestamp ?? null, width: metadata.width, height: metadata.height });
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  socket.onmessage = async (event) => {
    if (typeof event.data !== 'string') return record.errors.push('a binary message on a WebRTC session');
    const message = JSON.parse(event.data);
    record.messages.push({ at: performance.now(), ...message, sdp: undefined });
    if (message.type !== 'webrtc_offer') return;
    await peer.setRemoteDescription({ type: 'offer', sdp: message.sdp });
    await peer.setLocalDescription(await peer.createAnswer());
    if (peer.iceGatheringState !== 'complete') {
      await new Promise((resolve) => peer.addEventListener('icegatheringstatechange', () => peer.iceGatheringState === 'complete' && resolve()));
    }
    socket.send(JSON.stringify({ type: 'webrtc_answer', sdp: peer.localDescription.sdp }));
  };
}

/** Sends PCM16 (base64) in 20 ms chunks in real time, then audio_end. */
async function sendSpeech(base64) {
  const pcm = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const chunk = 640;
  const start = performance.now();
  record.speechSentAt = start;
  for (let at = 0, k = 0; at < pcm.length; at += chunk, k += 1) {
    socket.send(pcm.subarray(at, at + chunk));
    const wait = start + (k + 1) * 20 - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  socket.send(JSON.stringify({ type: 'audio_end' }));
}

/** What the test follows over time: the inbound-rtp fields that say how each stream is buffered and played. */
const SAMPLED = ['estimatedPlayoutTimestamp', 'jitter', 'jitterBufferDelay', 'jitterBufferEmittedCount', 'jitterBufferTargetDelay', 'jitterBufferMinimumDelay',
  'totalSamplesReceived', 'concealedSamples', 'insertedSamplesForDeceleration', 'removedSamplesForAcceleration', 'framesDecoded', 'packetsReceived'];

/** Samples getStats every 250 ms from the connection on. */
async function sampleStats() {
  while (peer.connectionState === 'connected') {
    const stats = await inboundStats();
    const sample = { at: performance.now() };
    for (const kind of ['audio', 'video']) {
      sample[kind] = Object.fromEntries(SAMPLED.filter((key) => stats[kind]?.[key] !== undefined).map((key) => [key, stats[kind][key]]));
    }
    record.samples.push(sample);
    // Every 500 ms, as the demo page reads its stats.
    if (picture !== null && record.samples.length % 2 === 0) {
      picture.targetMs = nextVideoTarget(picture.targetMs, sample.audio.estimatedPlayoutTimestamp - sample.video.estimatedPlayoutTimestamp);
      picture.receiver.jitterBufferTarget = picture.targetMs;
    }
    sample.videoTargetMs = picture?.targetMs ?? null;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The inbound-rtp entries of getStats, by kind. */
async function inboundStats() {
  const out = {};
  (await peer.getStats()).forEach((entry) => {
    if (entry.type === 'inbound-rtp') out[entry.kind] = entry;
  });
  return out;
}

Object.assign(window, { record, startClient, sendSpeech, inboundStats, closeSession: () => socket.close() });
