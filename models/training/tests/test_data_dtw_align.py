import numpy as np

from portrait_train.data import asterisk_source
from portrait_train.data.dtw_align import align_by_synthesis, dtw_path, pauses, with_pauses
from portrait_train.data.phones import PhoneSegment


def test_dtw_path_follows_a_time_warp():
    a = np.sin(np.linspace(0, 12, 120))[:, None]
    b = np.sin(np.linspace(0, 12, 180))[:, None]
    path = dtw_path(a, b)
    assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (119, 179)
    assert np.all(np.diff(path, axis=0) >= 0)
    assert np.abs(path[:, 1] - path[:, 0] * 1.5).max() < 8


def test_pauses_cut_into_phones():
    audio = np.concatenate([np.sin(np.arange(8000) * 0.3), np.zeros(4800), np.sin(np.arange(8000) * 0.3)]).astype(np.float32)
    spans = pauses(audio)
    assert len(spans) == 1 and abs(spans[0][0] - 0.5) < 0.02 and abs(spans[0][1] - 0.8) < 0.02
    phones = with_pauses([PhoneSegment(0.0, 0.7, "aa"), PhoneSegment(0.7, 1.3, "m")], spans, 1.3)
    assert [p.label for p in phones] == ["aa", "sil", "m"]
    # a pause of the synthesis outside the recording's pauses is speech: it goes to the phones beside it
    phones = with_pauses([PhoneSegment(0.0, 0.4, "aa"), PhoneSegment(0.4, 1.0, "sil"), PhoneSegment(1.0, 1.3, "m")],
                         spans, 1.3)
    assert [(p.label, round(p.start, 2), round(p.end, 2)) for p in phones] == [("aa", 0.0, 0.5), ("sil", 0.5, 0.8), ("m", 0.8, 1.3)]


def test_bilabials_land_near_pocketsphinx_on_english():
    prompts = [p for p in asterisk_source.read_prompts() if asterisk_source.is_heldout(p.name)][:4]
    errors = []
    for prompt in prompts:
        audio = asterisk_source.decode_g722(prompt.path)
        reference = asterisk_source.align(audio, asterisk_source.normalise_words(prompt.text))
        got = align_by_synthesis(audio, prompt.text, "en-us")
        found = [0.5 * (p.start + p.end) for p in got if p.label in ("p", "b", "m")]
        errors += [min(abs(0.5 * (p.start + p.end) - f) for f in found) for p in reference
                   if p.label in ("p", "b", "m") and found]
    assert errors and float(np.median(errors)) < 0.06, errors
