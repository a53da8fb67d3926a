"""Rate, distortion and active units against torch.distributions and hand-made encoders."""

from __future__ import annotations

import pytest
import torch
from torch.distributions import Bernoulli, Normal, kl_divergence

import vae_teach as vt
from vae_teach.analysis import rate_distortion as rd


def _images(n: int = 40, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)).round()


def test_rate_and_distortion_match_torch_distributions_for_the_same_draw():
    vae = vt.VAE(latent_dim=3, hidden_dims=(8,), seed=0)
    x = _images()
    with torch.no_grad():
        mu, logvar = vae.encode(x)
        q = Normal(mu, (0.5 * logvar).exp())
        eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(5))
        logits = vae.decode_logits(mu + eps * q.scale)
    rate = kl_divergence(q, Normal(0.0, 1.0)).sum(1).mean()
    distortion = -Bernoulli(logits=logits.flatten(1)).log_prob(x.flatten(1)).sum(1).mean()
    got = rd.rate_distortion(vae, x, seed=5)
    assert got == pytest.approx((float(rate), float(distortion)), rel=1e-5)


def test_rate_plus_distortion_is_the_negative_elbo_on_average():
    vae = vt.VAE(latent_dim=3, hidden_dims=(8,), seed=0)
    x = _images(200)
    total = sum(sum(rd.rate_distortion(vae, x, seed=s)) for s in range(20)) / 20
    assert total == pytest.approx(-vt.elbo(vae, x, n_samples=20, seed=0), rel=2e-3)


def test_sweep_rows_hold_one_row_per_beta():
    models = {1.0: vt.VAE(latent_dim=2, hidden_dims=(8,), seed=0), 4.0: vt.VAE(latent_dim=2, hidden_dims=(8,), seed=1)}
    rows = rd.sweep_rows(models, _images())
    assert [r["beta"] for r in rows] == [1.0, 4.0]
    assert all(r["negative elbo"] == pytest.approx(r["rate"] + r["distortion"]) for r in rows)


def test_an_autoencoder_is_refused():
    with pytest.raises(TypeError, match="expected a VAE"):
        rd.rate_distortion(vt.Autoencoder(latent_dim=2, hidden_dims=(8,), seed=0), _images())
