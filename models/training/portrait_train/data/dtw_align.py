"""Phone timing for recordings in languages without an acoustic model here: synthesise the transcript with
espeak-ng (exact phone times), align the synthetic audio to the recording by dynamic time warping of normalised
cepstra, and carry the phone boundaries across the warping path. Pauses come from the recording's own energy:
spans of at least 150 ms well below the speech level become `sil`, and any other pause of the synthesis goes to the
phone before it. Accuracy is that of a DTW alignment across speakers (measured against pocketsphinx on English in
tests/test_data_dtw_align.py), good enough to score pauses and most bilabials, not for training targets."""
from __future__ import annotations

import numpy as np
from scipy.fft import dct
from scipy.signal import get_window

from .audio_io import to_16k
from .espeak_source import synth_isolated
from .phones import PhoneSegment, fill_silence

HOP_S = 0.01
PAUSE_S = 0.15


def _mel_filters(bands: int = 40, nfft: int = 512, low: float = 100.0, high: float = 7000.0) -> np.ndarray:
    mel = lambda f: 2595 * np.log10(1 + f / 700)  # noqa: E731
    hz = lambda m: 700 * (10 ** (m / 2595) - 1)  # noqa: E731
    bins = np.floor((nfft + 1) * hz(np.linspace(mel(low), mel(high), bands + 2)) / 16000).astype(int)
    filters = np.zeros((bands, nfft // 2 + 1))
    for i in range(bands):
        a, b, c = bins[i], bins[i + 1], bins[i + 2]
        filters[i, a:b] = (np.arange(a, b) - a) / max(b - a, 1)
        filters[i, b:c] = (c - np.arange(b, c)) / max(c - b, 1)
    return filters


_FILTERS = _mel_filters()


def cepstra(audio: np.ndarray) -> np.ndarray:
    """[T, 24] per 10 ms: MFCC 1..12 (25 ms Hamming frames, 40 mel bands) and their deltas, normalised per
    utterance (which removes much of the speaker and channel)."""
    n = int(np.ceil(len(audio) / 160))
    padded = np.concatenate([np.zeros(200), np.asarray(audio, np.float64), np.zeros(560)])
    frames = padded[np.arange(400)[None, :] + 160 * np.arange(n)[:, None]] * get_window("hamming", 400)
    log_mel = np.log(np.abs(np.fft.rfft(frames, 512)) ** 2 @ _FILTERS.T + 1e-8)
    cep = dct(log_mel, type=2, norm="ortho", axis=1)[:, 1:13]
    feats = np.concatenate([cep, np.gradient(cep, axis=0)], axis=1)
    return (feats - feats.mean(axis=0)) / (feats.std(axis=0) + 1e-6)


def energy_db(audio: np.ndarray) -> np.ndarray:
    """Frame energy (dB re the 95th percentile) per 10 ms."""
    n = int(np.ceil(len(audio) / 160))
    padded = np.zeros(n * 160, np.float64)
    padded[: len(audio)] = audio
    rms = np.sqrt(np.mean(padded.reshape(n, 160) ** 2, axis=1)) + 1e-9
    return 20 * np.log10(rms / np.percentile(rms, 95))


def dtw_path(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[L, 2] index pairs of the minimum-cost monotonic path from (0, 0) to (len(a)-1, len(b)-1), Euclidean local
    cost, steps (1,0), (0,1), (1,1)."""
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    n, m = cost.shape
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        row, prev = acc[i], acc[i - 1]
        c = cost[i - 1]
        diag_up = np.minimum(prev[:-1], prev[1:]) + c  # from (i-1, j-1) or (i-1, j)
        for j in range(1, m + 1):
            row[j] = min(diag_up[j - 1], row[j - 1] + c[j - 1])
    i, j, path = n, m, []
    while i > 0 and j > 0:
        path.append((i - 1, j - 1))
        step = int(np.argmin((acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1])))
        i, j = (i - 1, j - 1) if step == 0 else (i - 1, j) if step == 1 else (i, j - 1)
    return np.array(path[::-1])


def map_time(path: np.ndarray, t: float) -> float:
    """Time in the recording (second column) of time `t` in the synthesis (first column), seconds."""
    frame = min(int(round(t / HOP_S)), int(path[-1, 0]))
    matches = path[path[:, 0] == frame, 1]
    return float(np.median(matches)) * HOP_S if len(matches) else t


def pauses(audio: np.ndarray, floor_db: float = -32.0) -> list[tuple[float, float]]:
    """Spans of at least PAUSE_S whose 10 ms energy stays below `floor_db` (re the 95th percentile)."""
    quiet = energy_db(audio) < floor_db
    spans, start = [], None
    for i, q in enumerate(np.append(quiet, False)):
        if q and start is None:
            start = i
        elif not q and start is not None:
            if (i - start) * HOP_S >= PAUSE_S:
                spans.append((start * HOP_S, i * HOP_S))
            start = None
    return spans


def with_pauses(phones: list[PhoneSegment], spans: list[tuple[float, float]], total: float) -> list[PhoneSegment]:
    """Phones with the measured pauses cut in as `sil`. Any other pause of the synthesis is given to the phone before
    it: the recording speaks there (a gap left at the start, before any phone, stays `sil`)."""
    out: list[PhoneSegment] = []
    orphans: list[tuple[float, float]] = []
    for p in phones:
        pieces = [(p.start, p.end)]
        for a, b in spans:
            pieces = [piece for s, e in pieces for piece in ((s, min(e, a)), (max(s, b), e)) if piece[1] > piece[0]]
        for s, e in pieces:
            if p.label != "sil":
                out.append(PhoneSegment(s, e, p.label))
            elif out and abs(out[-1].end - s) < 1e-6 and out[-1].label != "sil":
                out[-1] = PhoneSegment(out[-1].start, e, out[-1].label)
            else:
                orphans.append((s, e))
    for s, e in orphans:  # right after a measured pause: the phone that follows starts earlier
        following = [i for i, q in enumerate(out) if abs(q.start - e) < 1e-6]
        if following:
            q = out[following[0]]
            out[following[0]] = PhoneSegment(s, q.end, q.label)
    out += [PhoneSegment(a, b, "sil") for a, b in spans]
    return fill_silence(out, total)


def align_by_synthesis(audio: np.ndarray, text: str, voice: str, rate: int = 160) -> list[PhoneSegment]:
    """Phones of the 16 kHz recording `audio` of `text` in the language of espeak-ng `voice`."""
    synth = synth_isolated(text, voice, rate, 50, 50)
    tts = to_16k(synth.audio, synth.sample_rate)
    path = dtw_path(cepstra(tts), cepstra(audio))
    total = len(audio) / 16000
    moved = []
    for p in synth.phones:
        start, end = map_time(path, p.start), map_time(path, p.end)
        if end > start:
            moved.append(PhoneSegment(start, min(end, total), p.label))
    return with_pauses(moved, pauses(audio), total)
