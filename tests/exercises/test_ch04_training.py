"""Chapter 4's checks: the solutions pass, a stub gets a hint, and each common mistake, written as a
student would, gets the hint that names it (never a generic one quoting sizes of inputs the student
never saw)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import vae_teach as vt
from vae_teach import exercises as ex

from _shared import solution_tests  # tests/exercises/_shared.py

NORMAL = torch.distributions.Normal(0.0, 1.0)


def bce(logits, x):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)


def kl(mu, lv):
    return 0.5 * (mu**2 + lv.exp() - 1 - lv).sum(1)


def elbo_solution(logits, x, mu, logvar):
    return (bce(logits, x) + vt.gaussian_kl(mu, logvar)).mean()


def sample_solution(model, n):
    return model.decode(torch.randn(n, model.latent_dim))


def quantile_solution(n):
    return NORMAL.icdf((torch.arange(n) + 0.5) / n)


SOLUTIONS = [(ex.check_negative_elbo, elbo_solution), (ex.check_sample_prior, sample_solution),
             (ex.check_quantile_axis, quantile_solution)]


test_solution_passes, test_stub_gets_a_hint_not_a_traceback = solution_tests(SOLUTIONS)


def test_sample_prior_solution_works_on_a_real_vae():
    images = sample_solution(vt.VAE(latent_dim=4), 3)
    assert images.shape == (3, 1, 28, 28)


def test_sampling_checks_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ex.check_sample_prior(sample_solution)
    ex.check_reparameterize(lambda mu, logvar: mu + torch.exp(0.5 * logvar) * torch.randn_like(mu))
    ex.check_monte_carlo_kl(lambda mu, logvar, n: -(mu.expand(n, *mu.shape) + torch.randn(n, *mu.shape)
                                                   ).sum(-1).mean(0))
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("wrong, words", [
    (lambda l, x, m, v: -(bce(l, x) + kl(m, v)).mean(), "that is the ELBO"),
    (lambda l, x, m, v: (bce(l, x) + kl(m, v)).sum(), "sums over the batch"),
    (lambda l, x, m, v: bce(l, x) + kl(m, v), "one loss per example"),
    (lambda l, x, m, v: bce(l, x).sum() + kl(m, v).mean(), "reconstruction term sums over the batch"),
    (lambda l, x, m, v: bce(l, x).mean() + kl(m, v).sum(), "KL term sums over the batch"),
    (lambda l, x, m, v: F.binary_cross_entropy_with_logits(l, x) + kl(m, v).mean(), "averages over the pixels"),
    (lambda l, x, m, v: (bce(torch.sigmoid(l), x) + kl(m, v)).mean(), "applied the sigmoid"),
    (lambda l, x, m, v: (bce(x, l) + kl(m, v)).mean(), "swapped the arguments"),
    (lambda l, x, m, v: F.binary_cross_entropy(l, x, reduction="sum") / len(x) + kl(m, v).mean(),
     "use binary_cross_entropy_with_logits"),
    (lambda l, x, m, v: ((torch.sigmoid(l) - x).pow(2).flatten(1).sum(1) + kl(m, v)).mean(), "Bernoulli"),
    (lambda l, x, m, v: bce(l, x).mean(), "KL term is missing"),
    (lambda l, x, m, v: kl(m, v).mean(), "reconstruction term is missing"),
    (lambda l, x, m, v: (bce(l, x) - kl(m, v)).mean(), "KL term has the wrong sign"),
    (lambda l, x, m, v: (bce(l, x) + 2 * kl(m, v)).mean(), "KL term is counted twice"),
    (lambda l, x, m, v: (bce(l, x) + 0.5 * kl(m, v)).mean(), "weight 1/2"),
    (lambda l, x, m, v: (bce(l, x) + kl(m, v) / m.shape[1]).mean(), "averaged over the latent dimensions"),
], ids=["ELBO", "sum over batch", "no mean", "recon summed", "KL summed", "recon mean over pixels", "sigmoid",
        "swapped", "BCE on logits", "squared error", "no KL", "no recon", "KL sign", "KL without 1/2", "KL weight 1/2",
        "KL mean over dims"])
def test_negative_elbo_mistakes_get_their_own_hint(hint_for, wrong, words):
    assert words in hint_for(ex.check_negative_elbo, wrong)


def test_negative_elbo_accepts_a_python_number(passes):
    passes(ex.check_negative_elbo, lambda l, x, m, v: float((bce(l, x) + kl(m, v)).mean()))


@pytest.mark.parametrize("wrong, words", [
    (lambda m, n: m.decode(torch.rand(n, m.latent_dim)), "uniform on [0, 1]"),
    (lambda m, n: m.decode_logits(torch.randn(n, m.latent_dim)), "those are logits"),
    (lambda m, n: m.decoder(torch.randn(n, m.latent_dim)), "those are logits"),
    (lambda m, n: m.decode(3 * torch.randn(n, m.latent_dim)), "the prior N(0, I) has mean 0 and std 1"),
    (lambda m, n: m.decode(torch.randn(n, m.latent_dim) + 1), "the prior N(0, I) has mean 0 and std 1"),
    (lambda m, n: m.decode(torch.randn(m.latent_dim, n)), "one code per row"),
    (lambda m, n: m.decode(torch.randn(n, 2)), "model.latent_dim"),
    (lambda m, n: m.decode(torch.randn(16, m.latent_dim)), "expected n = 4000"),
    (lambda m, n: torch.randn(n, m.latent_dim), "never decoded a code"),
], ids=["uniform", "logits", "decoder", "std 3", "mean 1", "transposed codes", "latent dim 2", "n ignored",
        "codes returned"])
def test_sample_prior_mistakes_get_their_own_hint(hint_for, wrong, words):
    assert words in hint_for(ex.check_sample_prior, wrong)


def _centres(n):
    return (torch.arange(n) + 0.5) / n


@pytest.mark.parametrize("wrong, words", [
    (lambda n: torch.linspace(-3, 3, n), "evenly spaced in z"),
    (lambda n: NORMAL.icdf(torch.linspace(0, 1, n)), "infinite ends"),
    (lambda n: NORMAL.icdf(torch.arange(n) / n), "infinite ends"),
    (lambda n: NORMAL.icdf((torch.arange(n) + 1.0) / (n + 1)), "cell centres"),
    (lambda n: _centres(n), "those are the probabilities"),
    (lambda n: NORMAL.cdf(_centres(n)), "inverse, icdf"),
    (lambda n: NORMAL.icdf(1 - _centres(n)), "high to low"),
    (lambda n: torch.erfinv(2 * _centres(n) - 1), "needs a factor sqrt(2)"),
    (lambda n: torch.erfinv(_centres(n)), "erfinv takes 2p - 1"),
    (lambda n: 2 ** 0.5 * torch.erfinv(_centres(n)), "erfinv takes 2p - 1"),
    (lambda n: NORMAL.icdf((torch.arange(n + 1) + 0.5) / (n + 1)), "n + 1 points"),
    (lambda n: NORMAL.icdf(_centres(n))[:, None], "keepdim=True"),
], ids=["linspace", "ends 0 and 1", "i / n", "(i+1)/(n+1)", "probabilities", "cdf", "descending",
        "erfinv unscaled", "erfinv(p)", "sqrt2 erfinv(p)", "n + 1", "column"])
def test_quantile_axis_mistakes_get_their_own_hint(hint_for, wrong, words):
    assert words in hint_for(ex.check_quantile_axis, wrong)
