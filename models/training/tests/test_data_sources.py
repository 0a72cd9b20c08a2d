"""Data sources on tiny inputs: flite -psdur, espeak-ng through ctypes, festival segments, asterisk + pocketsphinx."""
import numpy as np
import pytest

from portrait_train.data import asterisk_source, festival_source, flite_source
from portrait_train.data.espeak_source import EspeakEngine
from portrait_train.data.phones import PHONE_SET, arpabet_to_common, ipa_to_common


def check_cover(phones, seconds):
    assert phones[0].start == 0.0
    assert abs(phones[-1].end - seconds) < 1e-3
    for a, b in zip(phones, phones[1:]):
        assert abs(a.end - b.start) < 1e-6 and a.end > a.start
    assert {p.label for p in phones} <= PHONE_SET


def test_phone_mappings():
    assert arpabet_to_common("AH0") == "ah"
    assert arpabet_to_common("pau") == "sil"
    assert arpabet_to_common("+NSN+") == "sil"
    assert ipa_to_common("əʊ") == ["ow"]
    assert ipa_to_common("ˈaɪ") == ["ay"]
    assert ipa_to_common("tʃ") == ["ch"]
    assert ipa_to_common("ɔ̃") == ["ao"]
    assert ipa_to_common("mʲ") == ["m"]
    assert ipa_to_common("") == []
    with pytest.raises(ValueError):
        arpabet_to_common("xx")


def test_flite_psdur():
    pairs = flite_source.parse_psdur("pau:0.164 hh:0.255 ax:0.304")
    assert pairs == [("pau", 0.164), ("hh", 0.255), ("ax", 0.304)]
    audio, phones = flite_source.synth("Bob made a map.", "slt", 1.0, 180.0)
    seconds = len(audio) / 16000
    check_cover(phones, seconds)
    labels = [p.label for p in phones]
    assert labels[:4] == ["sil", "b", "aa", "b"]
    assert labels.count("m") == 2


def test_espeak_ctypes_phoneme_events():
    engine = EspeakEngine()
    result = engine.synth("Mama made pie.", "en", rate=170, pitch=50)
    starts = [t for _, t in result.raw_phonemes]
    assert len(result.raw_phonemes) >= 8 and starts == sorted(starts)
    assert result.sample_rate == 22050 and len(result.audio) > 0.5 * result.sample_rate
    check_cover(result.phones, len(result.audio) / result.sample_rate)
    labels = [p.label for p in result.phones if p.label != "sil"]
    assert labels[:2] == ["m", "aa"] and "p" in labels
    german = engine.synth("Guten Morgen.", "de", rate=150)
    assert "g" in [p.label for p in german.phones]


def test_festival_segments():
    [(audio, phones)] = festival_source.synth_batch([festival_source.FestivalJob("Open the map.", 1.1, 120.0)])
    check_cover(phones, len(audio) / 16000)
    labels = [p.label for p in phones]
    assert labels[0] == "sil" and "m" in labels and "p" in labels


def test_asterisk_prompt_aligned():
    prompts = {p.name: p for p in asterisk_source.read_prompts()}
    assert len(prompts) > 500
    prompt = prompts["auth-thankyou"]
    audio = asterisk_source.decode_g722(prompt.path)
    words = asterisk_source.normalise_words(prompt.text)
    assert words == ["thank", "you"]
    phones = asterisk_source.align(audio, words)
    check_cover(phones, len(audio) / 16000)
    labels = [p.label for p in phones if p.label != "sil"]
    assert labels == ["th", "ae", "ng", "k", "y", "uw"]
    assert asterisk_source.normalise_words("Press 1 or 25 #") == ["press", "one", "or", "twenty", "five", "pound"]


def test_asterisk_heldout_fixed_fraction():
    names = [p.name for p in asterisk_source.read_prompts()]
    held = [n for n in names if asterisk_source.is_heldout(n)]
    assert 0.05 < len(held) / len(names) < 0.15
    assert held == [n for n in names if asterisk_source.is_heldout(n)]


def test_oov_word_gets_flite_pronunciation():
    assert asterisk_source.flite_pronunciation("unmute")[:3] == ["ax", "n", "m"]


def test_text_corpora():
    import random

    from portrait_train.data import text

    pool = text.sentences("es")  # the smallest corpus; en, de, it are read the same way by the build
    assert len(pool) > 5000
    assert all(25 <= len(s) <= 180 and s.count(" ") >= 3 for s in pool)
    a = text.pick_text("es", random.Random(1))
    assert a == text.pick_text("es", random.Random(1)) and len(a) >= 25


def test_espeak_isolated_synthesis_is_reproducible():
    """Regression: one espeak-ng engine carries state between utterances; the builder synthesises in a fresh process."""
    from portrait_train.data.espeak_source import synth_isolated

    first = synth_isolated("Mama made pie.", "de", 150, 40, 60)
    synth_isolated("<speak><prosody pitch=\"+40%\" rate=\"30%\">la</prosody></speak>", "en+f3", 90, 60, 10, ssml=True)
    again = synth_isolated("Mama made pie.", "de", 150, 40, 60)
    assert np.array_equal(first.audio, again.audio) and first.phones == again.phones


def test_alignment_independent_of_history_and_stage_directions_stripped():
    """Regression: a reused pocketsphinx decoder made an alignment depend on the prompts aligned before it."""
    prompts = {p.name: p for p in asterisk_source.read_prompts()}
    assert "silence/1" not in prompts and all("(" not in p.text and "<" not in p.text for p in prompts.values())
    assert prompts["vm-intro"].text.startswith("Please leave your message after the tone.")
    target, other = prompts["auth-thankyou"], prompts["agent-loginok"]
    audio = asterisk_source.decode_g722(target.path)
    first = asterisk_source.align(audio, asterisk_source.normalise_words(target.text))
    asterisk_source.align(asterisk_source.decode_g722(other.path), asterisk_source.normalise_words(other.text))
    assert asterisk_source.align(audio, asterisk_source.normalise_words(target.text)) == first
