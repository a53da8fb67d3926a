"""The conditional VAE: its ELBO against a brute-force Monte Carlo estimate, labels required and checked."""

from __future__ import annotations

import math

import pytest
import torch
from torch.distributions import Bernoulli, Normal
from torch.nn import functional as F

import vae_teach as vt


@pytest.fixture(scope="module")
def data():
    d = vt.load_mnist()
    return d.test_x[:6], d.test_y[:6]


@pytest.fixture(scope="module")
def model():
    return vt.ConditionalVAE(latent_dim=3, hidden_dims=(16,), seed=0)


def test_elbo_matches_a_brute_force_monte_carlo_estimate(model, data):
    x, y = data
    # The oracle: log p(x|z, y) + log p(z) - log q(z|x, y), averaged over many z ~ q, with the
    # one-hot concatenation and every density written here, from the networks' raw layers.
    onehot = F.one_hot(y, 10).float()
    with torch.no_grad():
        h = model.encoder(torch.cat([x.flatten(1), onehot], 1))
        mu, std = model.mu_head(h), (0.5 * model.logvar_head(h)).exp()
        q = Normal(mu, std)
        z = q.sample((4000,))                                    # (S, N, D)
        logits = model.decoder(torch.cat([z, onehot.expand(4000, -1, -1)], -1))
        log_lik = Bernoulli(logits=logits, validate_args=False).log_prob(x.flatten(1)).sum(-1)
        terms = log_lik + Normal(0.0, 1.0).log_prob(z).sum(-1) - q.log_prob(z).sum(-1)
        expected, stderr = terms.mean(0), terms.std(0) / math.sqrt(4000)
        got = vt.elbo_per_example(model, x, n_samples=4000, y=y,
                                  generator=torch.Generator().manual_seed(1))
    assert torch.all((got - expected).abs() < 5 * stderr + 1e-3), (got, expected, stderr)


def test_the_label_changes_the_decoded_image(model):
    z = torch.zeros(2, 3)
    a = model.decode(z, torch.tensor([0, 0]))
    b = model.decode(z, torch.tensor([0, 1]))
    assert torch.equal(a[0], b[0]) and not torch.allclose(a[1], b[1])


def test_decode_as_draws_each_code_as_each_digit_code_major(model):
    z = torch.randn(2, 3, generator=torch.Generator().manual_seed(0))
    grid = model.decode_as(z, [3, 7, 9])
    assert grid.shape == (6, 1, 28, 28)
    assert torch.allclose(grid[4], model.decode(z[1:2], torch.tensor([7]))[0])


def test_sample_gives_one_image_per_label(model):
    assert model.sample(torch.arange(10), seed=0).shape == (10, 1, 28, 28)


@pytest.mark.parametrize("labels, message", [
    (None, r"expected y as integer labels of shape \(6,\)"),
    (torch.zeros(6), "dtype torch.float32"),
    (torch.zeros(5, dtype=torch.long), r"shape \(5,\)"),
    (torch.tensor([0, 1, 2, 3, 4, 10]), r"expected labels in \[0, 10\); got values from 0 to 10"),
    (torch.tensor([-1, 1, 2, 3, 4, 5]), r"expected labels in \[0, 10\)"),
])
def test_bad_labels_are_refused_at_every_entry(model, data, labels, message):
    x, _ = data
    with pytest.raises(ValueError, match=message):
        vt.elbo(model, x, y=labels)
    with pytest.raises(ValueError, match=message):
        model.encode(x, labels)


def test_fit_with_labels_and_rebuild_from_config(data, tmp_path):
    train = vt.load_mnist()
    fresh = vt.ConditionalVAE(latent_dim=2, hidden_dims=(16,))
    history = vt.fit(fresh, train.train_x[:256], epochs=2, y=train.train_y[:256], progress=False)
    assert history.epochs == 2
    vt.save_model(fresh, tmp_path / "cvae.pt")
    loaded, _ = vt.load_model(tmp_path / "cvae.pt")
    assert isinstance(loaded, vt.ConditionalVAE) and loaded.config() == fresh.config()
    with pytest.raises(ValueError, match="n_classes"):
        vt.ConditionalVAE(n_classes=0)
