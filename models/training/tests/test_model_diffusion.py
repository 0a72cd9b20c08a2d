"""Noise schedule closed forms and the samplers on analytic cases."""
import math

import numpy as np
import pytest
import torch

from portrait_train.channels import CHANNEL_INDEX, NUM_CHANNELS
from portrait_train.diffusion import (Schedule, alpha_bar_table, apply_continuity, continuity_ramp, guided_denoiser,
                                      sample_ddim, sample_dpmpp_2m, sampler_timesteps, to_x0, training_target)

torch.set_num_threads(1)  # small models; one thread is fastest on a shared 2-core machine


def f(u, T=1000, s=0.008):
    return math.cos(((u / T) + s) / (1 + s) * math.pi / 2) ** 2


def test_cosine_schedule_matches_the_closed_form():
    ab = alpha_bar_table()
    assert ab.shape == (1000,)
    for t in (0, 1, 10, 500, 900, 998):
        assert ab[t] == pytest.approx(f(t + 1) / f(0), rel=1e-9)
    assert ab[999] == pytest.approx(ab[998] * 0.001, rel=1e-9)
    assert np.all(np.diff(ab) < 0)


def test_linear_schedule_is_a_cumulative_product():
    ab = alpha_bar_table({"type": "linear", "timesteps": 1000, "beta_start": 1e-4, "beta_end": 0.02})
    betas = np.linspace(1e-4, 0.02, 1000)
    assert ab[0] == pytest.approx(1 - 1e-4)
    assert ab[-1] == pytest.approx(np.prod(1 - betas))


def test_sampler_timesteps():
    assert sampler_timesteps(1) == [999]
    assert sampler_timesteps(4) == [999, 749, 500, 250]
    assert sampler_timesteps(12)[-1] == 83


def test_q_sample_and_prediction_conversions_are_consistent():
    sched = Schedule.create()
    x0, noise = torch.randn(4, 5, 3), torch.randn(4, 5, 3)
    t = torch.tensor([0, 100, 500, 999])
    x_t = sched.q_sample(x0, t, noise)
    for i in range(4):
        ab = float(sched.alpha_bar[t[i]])
        for kind in ("x0", "eps", "v"):
            target = training_target(x0[i : i + 1], noise[i : i + 1], sched.alpha_bar[t[i : i + 1]], kind)
            assert torch.allclose(to_x0(target, x_t[i : i + 1], ab, kind), x0[i : i + 1], atol=2e-3)


@pytest.mark.parametrize("sampler", [sample_ddim, sample_dpmpp_2m])
def test_single_point_data_is_recovered_exactly(sampler):
    point = torch.tensor([[[0.5, -1.0, 2.0]]])
    out = sampler(lambda x, t: point.expand_as(x), torch.randn(2, 1, 3), Schedule.create().alpha_bar, 6)
    assert torch.allclose(out, point.expand(2, 1, 3), atol=1e-5)


@pytest.mark.parametrize("sampler,steps,tol", [(sample_ddim, 200, 0.02), (sample_dpmpp_2m, 50, 0.005)])
def test_gaussian_data_follows_the_probability_flow(sampler, steps, tol):
    # Data N(mu, sd^2): the exact x0 predictor is linear, and the probability-flow ODE keeps
    # (x_t - a*mu) / sqrt(a^2 sd^2 + s^2) constant, which gives the exact end point.
    ab = Schedule.create().alpha_bar
    mu, sd = 0.7, 0.3

    def denoise(x, t):
        a2 = float(ab[t])
        a, s2 = math.sqrt(a2), 1 - a2
        return mu + a * sd**2 / (a2 * sd**2 + s2) * (x - a * mu)

    noise = torch.randn(64, 4, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    a_T = math.sqrt(float(ab[999]))
    expected = mu + sd * (noise - a_T * mu) / math.sqrt(a_T**2 * sd**2 + 1 - a_T**2)
    out = sampler(denoise, noise, ab.double(), steps)
    assert float((out - expected).abs().max()) < tol


def test_dpmpp_2m_beats_ddim_at_few_steps():
    ab = Schedule.create().alpha_bar.double()
    mu, sd = 0.7, 0.3
    denoise = lambda x, t: mu + math.sqrt(float(ab[t])) * sd**2 / (float(ab[t]) * sd**2 + 1 - float(ab[t])) * (
        x - math.sqrt(float(ab[t])) * mu)
    noise = torch.randn(256, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    a_T = math.sqrt(float(ab[999]))
    expected = mu + sd * (noise - a_T * mu) / math.sqrt(a_T**2 * sd**2 + 1 - a_T**2)
    err_ddim = float((sample_ddim(denoise, noise, ab, 6) - expected).abs().mean())
    err_dpm = float((sample_dpmpp_2m(denoise, noise, ab, 6) - expected).abs().mean())
    assert err_dpm < err_ddim


def test_guidance_combines_cond_and_uncond_in_one_batch():
    calls = []

    def model(x, t, audio, audio_keep, prev, prev_keep):
        calls.append(x.shape[0])
        assert torch.equal(prev_keep, torch.ones(x.shape[0]))
        return audio_keep.reshape(-1, 1, 1) * torch.ones_like(x)

    ab = Schedule.create().alpha_bar
    d = guided_denoiser(model, torch.zeros(3, 5, 7), torch.zeros(3, 2, 4), torch.ones(3), 2.5, ab)
    out = d(torch.zeros(3, 5, 4), 10)
    assert calls == [6]
    assert torch.allclose(out, torch.full((3, 5, 4), 2.5))


def continuity_case(jaw_context: float):
    ch = CHANNEL_INDEX
    context = np.zeros((1, 2, NUM_CHANNELS), np.float32)
    context[0, :, ch["head_yaw"]] = [0.1, 0.2]
    context[0, :, ch["jaw_open"]] = jaw_context
    x0 = np.full((1, 4, NUM_CHANNELS), 0.5)
    x0[0, 0, [ch["head_yaw"], ch["jaw_open"], ch["lips_part"], ch["upper_lip_raise"], ch["lips_press"]]] = [1, 0, 1, 1, 0]
    return x0, context


def test_continuity_pulls_the_window_start_onto_the_context_step():
    # The same cases as packages/motion/src/continuity.test.ts.
    ch = CHANNEL_INDEX
    np.testing.assert_allclose(continuity_ramp(3), [1, 0.75, 0.25], atol=1e-12)
    x0, context = continuity_case(0.0)
    out = apply_continuity(x0, context, continuity_ramp(2))[0]
    np.testing.assert_allclose(out[:3, ch["head_yaw"]], [0.3, 0.15, 0.5], atol=1e-6)
    np.testing.assert_allclose(out[:2, ch["lips_part"]], [0, 0], atol=1e-12)
    np.testing.assert_allclose(out[0, ch["upper_lip_raise"]], 0, atol=1e-12)
    np.testing.assert_allclose(out[:2, ch["smile"]], [0, 0.25], atol=1e-12)
    assert apply_continuity(x0, context, continuity_ramp(0)) is x0


def test_continuity_lets_the_lips_close_at_the_window_start():
    ch = CHANNEL_INDEX
    x0, context = continuity_case(1.0)
    out = apply_continuity(x0, context, continuity_ramp(2))[0]
    assert out[0, ch["jaw_open"]] == 0 and out[0, ch["lips_part"]] == 1 and out[0, ch["upper_lip_raise"]] == 1
    np.testing.assert_allclose(out[0, ch["head_yaw"]], 0.3, atol=1e-6)
    np.testing.assert_allclose(out[0, ch["smile"]], 0, atol=1e-12)


def test_closure_hinge_charges_only_a_mouth_more_open_than_a_sealed_target():
    from portrait_train.diffusion import diffusion_loss
    from portrait_train.train import open_signs

    target = torch.zeros(1, 4, NUM_CHANNELS)
    sealed = torch.tensor([[0.0, 1.0, 0.0, 0.0]])
    weights = torch.ones(NUM_CHANNELS)

    def loss(prediction, hinge):
        return diffusion_loss(prediction, target, weights, 0.0, sealed=sealed, open_sign=open_signs(), closure_hinge=hinge)[0]

    def shifted(channel, frame, by):
        p = target.clone()
        p[0, frame, CHANNEL_INDEX[channel]] = by
        return p

    # More open than the sealed target: jaw and lips apart, or the lips pressed less.
    for more_open in (shifted("jaw_open", 1, 0.5), shifted("lips_part", 1, 0.5), shifted("lips_press", 1, -0.5)):
        assert loss(more_open, 4.0) > loss(more_open, 0.0)
    # More closed than the target, a frame that does not seal, or a channel the hinge leaves alone: the loss is the MSE.
    for other in (shifted("jaw_open", 1, -0.5), shifted("lips_press", 1, 0.5), shifted("jaw_open", 2, 0.5),
                  shifted("head_yaw", 1, 0.5)):
        assert loss(other, 4.0) == pytest.approx(float(loss(other, 0.0)))


def test_the_unconditional_branch_gets_no_closure_hinge():
    from portrait_train.dataset import Batch
    from portrait_train.model import ModelConfig, MotionDenoiser
    from portrait_train.train import Trainer

    config = ModelConfig(d_model=16, layers=1, heads=2, window=6, context=2)
    x0 = torch.randn(2, 6, NUM_CHANNELS)
    x0[:, 3, CHANNEL_INDEX["jaw_open"]] = -1.0
    no_audio = Batch(x0, torch.zeros(2, 6, config.feature_dim), torch.zeros(2), torch.zeros(2, 2, NUM_CHANNELS),
                     torch.zeros(2), torch.ones(2, 6), torch.ones(2, 6))
    plain = Trainer(MotionDenoiser(config), Schedule.create())
    hinged = Trainer(MotionDenoiser(config), Schedule.create(), closure_hinge=4.0)
    hinged.model.load_state_dict(plain.model.state_dict())
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    assert float(hinged.loss(hinged.model, no_audio, g1)[0]) == pytest.approx(float(plain.loss(plain.model, no_audio, g2)[0]))
