import { FarmApi } from './api.ts';
import { decodeAudioFile, sendPaced, startMicrophone } from './audio-sources.ts';
import { formatPercentiles, formatShare } from './figures.ts';
import { MsePlayer } from './mse-player.ts';
import { SessionClient, type LatencySummary, type ServerMessage } from './session-client.ts';
import { WebRtcPlayer } from './webrtc-player.ts';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const KEY_STORAGE = 'portrait-farm-demo-key';
const WORKLET_URL = '/demo/assets/capture-worklet.js';

const keyInput = $<HTMLInputElement>('key');
const avatarSelect = $<HTMLSelectElement>('avatar');
const startButton = $<HTMLButtonElement>('start');
const stopButton = $<HTMLButtonElement>('stop');
const micButton = $<HTMLButtonElement>('mic');
const fileInput = $<HTMLInputElement>('audio-file');
const clearButton = $<HTMLButtonElement>('clear');
const listening = $<HTMLInputElement>('listening');
const video = $<HTMLVideoElement>('stream');
const status = $<HTMLElement>('status');

let client: SessionClient | null = null;
let player: MsePlayer | WebRtcPlayer | null = null;
let sessionId: string | null = null;
let microphone: { stop(): void } | null = null;
let sending: AbortController | null = null;
let latency: LatencySummary | null = null;
let firstFrameMs: number | null = null;
let streamedSeconds = 0;

function say(text: string, kind: 'info' | 'bad' = 'info'): void {
  status.textContent = text;
  status.dataset['kind'] = kind;
}

function log(text: string): void {
  const line = document.createElement('li');
  line.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $('log').prepend(line);
}

function api(): FarmApi {
  const key = keyInput.value.trim();
  if (key === '') throw new Error('Enter the API key of your tenant first.');
  sessionStorage.setItem(KEY_STORAGE, key);
  return new FarmApi(key);
}

async function loadAvatars(): Promise<void> {
  const avatars = await api().avatars();
  avatarSelect.replaceChildren(...avatars.map((a) => new Option(`${a.id} (${a.image.width}x${a.image.height})`, a.id)));
  say(avatars.length === 0 ? 'No avatars yet: upload a portrait.' : `${avatars.length} avatar(s).`);
}

async function uploadAvatar(): Promise<void> {
  const file = $<HTMLInputElement>('avatar-file').files?.[0];
  if (file === undefined) throw new Error('Choose a portrait file first.');
  say('Checking the portrait…');
  const avatar = await api().createAvatar(file);
  await loadAvatars();
  avatarSelect.value = avatar.id;
  say(`Avatar ${avatar.id} is ready.`);
}

/** Connects to a session's stream: fMP4 through MSE, or WebRTC (the worker's offer answered on the socket). */
function connect(url: string, transport: 'fmp4' | 'webrtc'): void {
  const streamUrl = new URL(url);
  if (transport === 'webrtc') streamUrl.searchParams.set('transport', 'webrtc');
  $<HTMLSelectElement>('transport').value = transport;
  player = transport === 'webrtc' ? new WebRtcPlayer(video) : new MsePlayer(video);
  client = new SessionClient(streamUrl.href, {
    onMessage: (message) => void onMessage(message).catch((error: unknown) => say(error instanceof Error ? error.message : String(error), 'bad')),
    onMedia: (segment) => (player instanceof MsePlayer ? player.append(segment) : undefined),
    onClose: (code, reason) => {
      say(`Session closed${reason === '' ? '' : `: ${reason}`} (${code}).`);
      endLocal();
    },
  });
  setConnected(true);
}

async function onMessage(message: ServerMessage): Promise<void> {
  switch (message.type) {
    case 'webrtc_offer':
      if (!(player instanceof WebRtcPlayer)) throw new Error('The session offered WebRTC to a page playing fMP4.');
      client?.sendAnswer(await player.answer(message.sdp));
      break;
    case 'ready':
      if (message.transport === 'fmp4' && message.mimeType !== null) {
        if (!(player instanceof MsePlayer)) {
          player?.close();
          player = new MsePlayer(video);
        }
        await player.open(message.mimeType);
      }
      say(`Streaming ${message.width}x${message.height} at ${message.fps} fps over ${message.transport === 'webrtc' ? 'WebRTC' : 'MSE'}. Speak or send a file.`);
      break;
    case 'playback_started':
      if (client?.utteranceStartedAt != null) firstFrameMs = performance.now() - client.utteranceStartedAt;
      log(`utterance ${message.utterance} started`);
      break;
    case 'playback_finished':
      log(`utterance ${message.utterance} ${message.interrupted ? 'interrupted' : 'finished'} at ${message.playback_position.toFixed(2)} s`);
      break;
    case 'cleared':
      log(`cleared${message.utterance === null ? '' : ` utterance ${message.utterance} at ${message.playback_position.toFixed(2)} s`}`);
      break;
    case 'stats':
      latency = message.latency;
      streamedSeconds = message.seconds;
      break;
    case 'error':
      log(`error ${message.code}: ${message.message}`);
      say(message.message, 'bad');
      break;
    case 'closed':
      log(`closed: ${message.reason} after ${message.seconds_streamed.toFixed(1)} s`);
      break;
  }
}

function showFigures(): void {
  const figures = player?.figures();
  $('fig-first').textContent = firstFrameMs === null ? '-' : `${Math.round(firstFrameMs)} ms`;
  $('fig-delay').textContent = formatPercentiles(latency?.audioToFrame);
  $('fig-server-first').textContent = formatPercentiles(latency?.firstFrame);
  $('fig-features').textContent = formatPercentiles(latency?.features);
  $('fig-motion').textContent = formatPercentiles(latency?.motion);
  $('fig-render').textContent = formatPercentiles(latency?.render);
  $('fig-send').textContent = formatPercentiles(latency?.encodeAndSend);
  $('fig-late').textContent = latency === null ? '-' : formatShare(latency.late, latency.frames);
  $('fig-behind').textContent = figures === undefined ? '-' : `${Math.round(figures.behindSeconds * 1000)} ms`;
  $('fig-frames').textContent = figures === undefined ? '-' : `${figures.presentedFrames} shown, ${figures.droppedFrames} dropped, ${figures.stalls} stalls`;
  $('fig-streamed').textContent = `${streamedSeconds.toFixed(1)} s`;
}

function setConnected(connected: boolean): void {
  startButton.disabled = connected;
  stopButton.disabled = !connected;
  for (const control of [micButton, fileInput, clearButton, listening]) control.disabled = !connected;
}

function endLocal(): void {
  microphone?.stop();
  microphone = null;
  sending?.abort();
  player?.close();
  client = null;
  sessionId = null;
  micButton.textContent = 'Start microphone';
  setConnected(false);
}

async function startSession(): Promise<void> {
  const avatar = avatarSelect.value;
  if (avatar === '') throw new Error('Pick or upload an avatar first.');
  say('Placing the session on a worker…');
  const session = await api().createSession(avatar, 16000, $<HTMLSelectElement>('latency').value === 'low' ? 'low' : 'quality');
  sessionId = session.id;
  log(`session ${session.id}`);
  connect(session.stream.url, $<HTMLSelectElement>('transport').value === 'webrtc' ? 'webrtc' : 'fmp4');
}

async function stopSession(): Promise<void> {
  const id = sessionId;
  client?.close();
  endLocal();
  if (id !== null) await api().endSession(id).catch(() => {});
}

async function toggleMicrophone(): Promise<void> {
  if (microphone !== null) {
    microphone.stop();
    microphone = null;
    client?.endUtterance();
    micButton.textContent = 'Start microphone';
    return;
  }
  microphone = await startMicrophone((chunk) => client?.sendAudio(chunk), WORKLET_URL);
  micButton.textContent = 'Stop microphone (end of utterance)';
}

async function sendFile(): Promise<void> {
  const file = fileInput.files?.[0];
  if (file === undefined || client === null) return;
  const samples = await decodeAudioFile(file);
  sending?.abort();
  sending = new AbortController();
  log(`sending ${file.name} (${(samples.length / 16000).toFixed(1)} s) in real time`);
  await sendPaced(samples, (chunk) => client?.sendAudio(chunk), sending.signal);
  if (!sending.signal.aborted) client?.endUtterance();
}

function guard(action: () => Promise<void> | void): () => void {
  return () => {
    void (async () => {
      try {
        await action();
      } catch (error) {
        say(error instanceof Error ? error.message : String(error), 'bad');
      }
    })();
  };
}

keyInput.value = sessionStorage.getItem(KEY_STORAGE) ?? '';
$('load-avatars').addEventListener('click', guard(loadAvatars));
$('upload-avatar').addEventListener('click', guard(uploadAvatar));
startButton.addEventListener('click', guard(startSession));
stopButton.addEventListener('click', guard(stopSession));
micButton.addEventListener('click', guard(toggleMicrophone));
fileInput.addEventListener('change', guard(sendFile));
clearButton.addEventListener('click', () => {
  sending?.abort();
  client?.clear();
});
listening.addEventListener('change', () => client?.setState(listening.checked ? 'listening' : 'idle'));
// Browsers start media with sound only after a gesture: the page plays muted until the picture is clicked.
video.addEventListener('click', () => {
  video.muted = !video.muted;
});
setInterval(showFigures, 250);
setConnected(false);

// ?stream=ws://... connects to a session's stream directly (a session made elsewhere, or a test).
// &transport=webrtc plays it over WebRTC.
const pageParams = new URLSearchParams(location.search);
const direct = pageParams.get('stream');
if (direct !== null) connect(direct, pageParams.get('transport') === 'webrtc' ? 'webrtc' : 'fmp4');
else if (keyInput.value !== '') void guard(loadAvatars)();
