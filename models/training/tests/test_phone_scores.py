"""Phone posteriors from pocketsphinx's acoustic model: the model files parse, and the scores are finite,
normalised, at the motion frame rate and a deterministic function of the audio."""
import numpy as np
import pytest

pytest.importorskip("pocketsphinx")

from portrait_train import phone_scores as ps  # noqa: E402

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def model():
    return ps.load_acoustic_model()


def vowel_like(seconds: float = 1.2) -> np.ndarray:
    """A 120 Hz harmonic source shaped by two formants (700, 1200 Hz), with a near-silent 70 ms gap (a crude 'a-ba')."""
    n = int(seconds * ps.SAMPLE_RATE)
    t = np.arange(n) / ps.SAMPLE_RATE
    harmonics = 120.0 * np.arange(1, 60)
    gains = np.exp(-0.5 * ((harmonics - 700) / 150) ** 2) + 0.5 * np.exp(-0.5 * ((harmonics - 1200) / 200) ** 2) + 0.02
    audio = np.sin(2 * np.pi * harmonics[:, None] * t[None, :]).T @ gains + 0.01 * RNG.standard_normal(n)
    audio[int(0.5 * n) : int(0.5 * n) + 1120] *= 0.01
    return (0.3 * audio / np.abs(audio).max()).astype(np.float32)


def test_model_files_parse_to_a_ptm_model_of_the_english_phones(model):
    assert len(model.phones) == 42
    assert {"SIL", "P", "B", "M", "AA", "ZH"} <= set(model.phones)
    assert model.means.shape == (42, 3, 128, 13)
    assert model.inverse_variances.shape == (42, 3, 128, 13)
    assert np.all(model.inverse_variances > 0) and np.all(np.isfinite(model.log_norms))
    assert model.mixture_weights.shape == (42, 3, 128, 3)
    np.testing.assert_allclose(model.mixture_weights.sum(axis=2), 1.0, atol=1e-9)


def test_mfcc_runs_at_100_frames_per_second_with_13_cepstra():
    assert ps.mfcc(np.zeros(16000, np.int16)).shape == (98, 13)  # 1 + (16000 - 410) // 160
    assert ps.mfcc(np.zeros(10, np.int16)).shape == (1, 13)


def test_delta_streams_of_a_linear_ramp():
    cepstra = np.arange(20, dtype=float)[:, None] * np.ones((1, 13))
    c, d, dd = ps.feature_streams(cepstra)
    np.testing.assert_allclose(c.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d[3:-3], 4.0)  # c[t + 2] - c[t - 2]
    np.testing.assert_allclose(dd[4:-4], 0.0)


@pytest.mark.parametrize("audio", [np.zeros(16000, np.int16), vowel_like()], ids=["silence", "synthetic"])
def test_scores_are_finite_normalised_posteriors_at_25_fps(model, audio):
    scores = ps.phone_scores(audio, model=model)
    assert scores.shape == (int(np.ceil(len(audio) / ps.MOTION_HOP)), 42)
    assert np.all(np.isfinite(scores))
    np.testing.assert_allclose(np.exp(scores.astype(np.float64)).sum(axis=1), 1.0, atol=1e-4)


def test_scores_are_a_deterministic_function_of_the_audio(model):
    audio = vowel_like()
    first = ps.phone_scores(audio, model=model)
    np.testing.assert_array_equal(first, ps.phone_scores(audio.copy(), model=model))
    as_int16 = np.round(audio * 32768).astype(np.int16)
    np.testing.assert_allclose(np.exp(ps.phone_scores(as_int16, model=model)), np.exp(first), atol=1e-3)


def test_scores_cover_the_requested_number_of_motion_frames(model):
    audio = vowel_like(0.5)
    scores = ps.phone_scores(audio, n_frames=20, model=model)
    assert scores.shape == (20, 42)
    assert np.all(scores[13:] == scores[13])  # 0.5 s fill 13 frames; later ones take the nearest 10 ms frame


def test_pooling_averages_the_posteriors_of_a_motion_frames_10ms_frames():
    log_posteriors = np.log(np.array([[1.0, 0.0]] * 4 + [[0.5, 0.5]] * 4 + [[0.0, 1.0]] * 4) + 1e-12)
    pooled = np.exp(ps.pool_to_motion_frames(log_posteriors, 3))
    # window centres at 205 + 160 j: frame 0 holds j = 0..2, frame 1 j = 3..6, frame 2 j = 7..10
    np.testing.assert_allclose(pooled[0], [1.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(pooled[1], [0.625, 0.375], atol=1e-6)
    np.testing.assert_allclose(pooled[2], [0.125, 0.875], atol=1e-6)
