import json

import numpy as np

from portrait_train.data.derive import derive_plan, run_derive, voice_plan
from portrait_train.data.phones import VOWELS, PhoneSegment
from portrait_train.data.record import load_utterance, phones_of, save_utterance
from portrait_train.data.tempo import (change_speaker, change_tempo, change_voice_quality, faster, other_voice,
                                       realign, speaking_rate)
from portrait_train.dataset import closure_weights
from portrait_train.channels import CHANNEL_INDEX
from portrait_train.targets import build_targets, envelope


def _tone_bursts(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.3 * np.sin(2 * np.pi * 160 * t) * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.float32)


def test_tempo_shortens_by_the_factor_and_keeps_the_pitch():
    audio = _tone_bursts(3.0)
    fast = change_tempo(audio, 1.5)
    assert abs(len(fast) / len(audio) - 1 / 1.5) < 0.01
    spectrum = np.abs(np.fft.rfft(fast))
    assert abs(np.argmax(spectrum) * 16000 / len(fast) - 160) < 3  # WSOLA keeps the pitch


def test_speaker_warp_moves_the_frequencies():
    audio = _tone_bursts(2.0)
    warped = change_speaker(audio, 1.15)
    peak = np.argmax(np.abs(np.fft.rfft(warped))) * 16000 / len(warped)
    assert abs(peak - 160 * 1.15) < 3


def test_faster_moves_phones_with_the_audio_and_raises_the_rate():
    audio = _tone_bursts(2.0)
    phones = [PhoneSegment(0.0, 0.5, "sil"), PhoneSegment(0.5, 0.56, "b"), PhoneSegment(0.56, 0.8, "aa"),
              PhoneSegment(0.8, 0.86, "m"), PhoneSegment(0.86, 1.2, "ae"), PhoneSegment(1.2, 2.0, "sil")]
    fast, moved = faster(audio, phones, 1.6, warp=0.9)
    ratio = len(fast) / len(audio)
    assert abs(ratio - 1 / 1.6) < 0.01
    assert [p.label for p in moved] == [p.label for p in phones]
    assert abs(moved[1].start - 0.5 * ratio) < 1e-6 and abs(moved[-1].end - len(fast) / 16000) < 1e-6
    before, _, _ = speaking_rate(phones, frozenset(VOWELS))
    after, _, _ = speaking_rate(moved, frozenset(VOWELS))
    assert abs(after / before - 1.6) < 0.05


def test_fast_bilabials_keep_a_sealed_frame_in_the_targets():
    # 30 ms bilabials between vowels, as at 1.7x an already quick speaker
    phones, t = [PhoneSegment(0.0, 0.3, "sil")], 0.3
    for k in range(12):
        phones += [PhoneSegment(t, t + 0.03, "bpm"[k % 3]), PhoneSegment(t + 0.03, t + 0.12, "aa")]
        t += 0.12
    phones.append(PhoneSegment(t, t + 0.4, "sil"))
    audio = np.zeros(int((t + 0.4) * 16000), np.float32)
    motion = build_targets(phones, audio, 3)
    for p in phones:
        if p.label in ("b", "p", "m"):
            centre = int((0.5 * (p.start + p.end) - 0.04) / 0.04)
            frames = motion[max(0, centre - 1) : centre + 2]
            assert (frames[:, CHANNEL_INDEX["lips_part"]] == 0).any(), p
            weights = closure_weights(motion)
            assert weights[max(0, centre - 1) : centre + 2].max() > 1


def test_derive_plan_is_deterministic_and_run_derive_writes_a_copy(tmp_path):
    rows = [{"id": "asterisk-x", "source": "asterisk", "voice": "allison", "lang": "en", "split": "train",
             "file": "utts/asterisk-x.npz", "augment": None, "seconds": 2.0},
            {"id": "asterisk-x-noise", "source": "asterisk", "voice": "allison", "lang": "en", "split": "train",
             "file": "utts/asterisk-x-noise.npz", "augment": "noise", "seconds": 2.0},
            {"id": "flite-1", "source": "flite", "voice": "slt", "lang": "en", "split": "heldout",
             "file": "utts/flite-1.npz", "augment": None, "seconds": 2.0}]
    plan = derive_plan(rows)
    assert plan == derive_plan(list(reversed(rows)))
    assert [p["id"].split("~")[0] for p in plan] == ["asterisk-x", "asterisk-x"]
    assert all(1.2 <= p["tempo"] <= 1.8 for p in plan)
    audio = _tone_bursts(2.0)
    phones = [PhoneSegment(0.0, 0.6, "sil"), PhoneSegment(0.6, 0.7, "m"), PhoneSegment(0.7, 1.0, "aa"),
              PhoneSegment(1.0, 2.0, "sil")]
    motion = build_targets(phones, audio, 1)
    from portrait_train.features import compute_features
    save_utterance(tmp_path / "utts" / "asterisk-x.npz", compute_features(audio), motion, audio, phones,
                   envelope(audio, len(motion)))
    row, = run_derive(plan[0], tmp_path)
    assert row["augment"] is None and row["split"] == "train" and row["tempo"] == plan[0]["tempo"]
    copy = load_utterance(tmp_path / row["file"])
    assert len(copy["motion"]) == len(copy["features"]) < len(motion)
    assert json.loads((tmp_path / "entries" / f"{row['id']}.json").read_text()) == row
    assert phones_of(copy)[1].label == "m"


def test_pitch_moves_on_its_own_and_the_signal_stays_in_time():
    audio = _tone_bursts(2.0)
    higher = change_voice_quality(audio, 4.0, 1.0, [], 0.0)
    assert len(higher) == len(audio)
    peak = np.argmax(np.abs(np.fft.rfft(higher))) * 16000 / len(higher)
    assert abs(peak - 160 * 2 ** (4 / 12)) < 4
    on_in, on_out = np.abs(audio) > 0.05, np.abs(higher) > 0.05
    edges_in = np.flatnonzero(np.diff(on_in.astype(int)) == 1)
    edges_out = np.flatnonzero(np.diff(on_out.astype(int)) == 1)
    assert abs(int(edges_out[0]) - int(edges_in[0])) < 16 * 10  # the first burst starts within 10 ms


def test_realign_undoes_a_delay():
    audio = _tone_bursts(2.0)
    late = np.concatenate([np.zeros(480, np.float32), audio])[: len(audio)]
    back = realign(late, audio)
    assert len(back) == len(audio)
    assert np.abs(back[:-800] - audio[:-800]).max() < 1e-6


def test_other_voice_moves_phones_and_keeps_the_level():
    audio = _tone_bursts(2.0)
    phones = [PhoneSegment(0.0, 0.5, "sil"), PhoneSegment(0.5, 0.56, "p"), PhoneSegment(0.56, 1.2, "aa"),
              PhoneSegment(1.2, 2.0, "sil")]
    out, moved = other_voice(audio, phones, 1.5, 1.2, -3.0, [(1000.0, 6.0)], -0.3)
    assert abs(len(out) / len(audio) - 1 / 1.5) < 0.01
    assert [p.label for p in moved] == [p.label for p in phones]
    assert abs(np.abs(out).max() / np.abs(audio).max() - 1) < 0.02


def test_voice_plan_is_deterministic_and_only_of_clean_train_rows():
    rows = [{"id": f"asterisk-{k}", "source": "asterisk", "voice": "allison", "lang": "en", "split": "train",
             "file": f"utts/asterisk-{k}.npz", "augment": None, "seconds": 2.0} for k in range(3)]
    rows += [{"id": "asterisk-0~t150", "source": "asterisk", "voice": "allison", "lang": "en", "split": "train",
              "file": "utts/asterisk-0~t150.npz", "augment": None, "seconds": 1.3, "tempo": 1.5, "warp": 1.0},
             {"id": "singing-1", "source": "singing", "voice": "en", "lang": "en", "split": "train",
              "file": "utts/singing-1.npz", "augment": None, "seconds": 2.0}]
    plan = voice_plan(rows)
    assert plan == voice_plan(list(reversed(rows)))
    assert [p["id"] for p in plan] == [f"asterisk-{k}~v{n}" for k in range(3) for n in range(3)]
    assert len({(p["warp"], p["semitones"]) for p in plan}) == len(plan)
    assert all(1.15 <= p["tempo"] <= 1.8 and not 0.94 < p["warp"] < 1.06 for p in plan)
