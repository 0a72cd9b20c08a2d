"""The denoiser's signature, shapes and classifier-free guidance flags."""
import torch

from portrait_train.model import ModelConfig, MotionDenoiser, timestep_embedding

torch.set_num_threads(1)  # small models; one thread is fastest on a shared 2-core machine

TINY = ModelConfig(d_model=32, layers=1, heads=2)


def inputs(b: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    c = TINY
    return (torch.randn(b, c.window, c.channels, generator=g), torch.rand(b, generator=g) * 999,
            torch.randn(b, c.window, c.feature_dim, generator=g), torch.ones(b),
            torch.randn(b, c.context, c.channels, generator=g), torch.ones(b))


def trained_like(model: MotionDenoiser) -> MotionDenoiser:
    # Zero-initialised gates make a fresh model ignore its blocks; perturb every weight so all paths matter.
    torch.manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return model.eval()


def test_output_shape_and_batch_independence():
    model = trained_like(MotionDenoiser(TINY))
    x, t, a, ak, p, pk = inputs(3)
    out = model(x, t, a, ak, p, pk)
    assert out.shape == (3, TINY.window, TINY.channels)
    single = model(x[1:2], t[1:2], a[1:2], ak[1:2], p[1:2], pk[1:2])
    assert torch.allclose(out[1:2], single, atol=1e-5)


def test_audio_keep_zero_ignores_audio_and_keep_one_uses_it():
    model = trained_like(MotionDenoiser(TINY))
    x, t, a, _, p, pk = inputs(2)
    off = torch.zeros(2)
    a2 = torch.randn_like(a)
    assert torch.allclose(model(x, t, a, off, p, pk), model(x, t, a2, off, p, pk), atol=1e-6)
    on = torch.ones(2)
    assert not torch.allclose(model(x, t, a, on, p, pk), model(x, t, a2, on, p, pk), atol=1e-4)


def test_prev_keep_zero_ignores_context():
    model = trained_like(MotionDenoiser(TINY))
    x, t, a, ak, p, _ = inputs(2)
    off = torch.zeros(2)
    assert torch.allclose(model(x, t, a, ak, p, off), model(x, t, a, ak, torch.randn_like(p), off), atol=1e-6)
    on = torch.ones(2)
    assert not torch.allclose(model(x, t, a, ak, p, on), model(x, t, a, ak, torch.randn_like(p), on), atol=1e-4)


def test_timestep_embedding_accepts_fractional_steps():
    e = timestep_embedding(torch.tensor([0.0, 250.5, 999.0]), 32)
    assert e.shape == (3, 32)
    assert not torch.allclose(e[1], timestep_embedding(torch.tensor([250.0]), 32)[0])


def test_default_config_fits_the_size_budget():
    params = sum(p.numel() for p in MotionDenoiser(ModelConfig()).parameters())
    assert params * 4 < 8e6
