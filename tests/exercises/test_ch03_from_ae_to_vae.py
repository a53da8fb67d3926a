"""Chapter 3's checks: the solutions pass, a stub gets a hint, and each common mistake, written as a
student would, gets the hint that names it (never a generic one quoting sizes of inputs the student
never saw)."""

from __future__ import annotations

import pytest
import torch

from vae_teach import exercises as ex
from vae_teach.distributions import log_normal_diag, log_standard_normal

from _shared import solution_tests  # tests/exercises/_shared.py


def kl_solution(mu, logvar):
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


def reparam_solution(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def mc_kl_solution(mu, logvar, n_samples):
    z = mu + torch.exp(0.5 * logvar) * torch.randn(n_samples, *mu.shape)
    return (log_normal_diag(z, mu, logvar) - log_standard_normal(z)).mean(dim=0)


SOLUTIONS = [(ex.check_gaussian_kl, kl_solution), (ex.check_reparameterize, reparam_solution),
             (ex.check_monte_carlo_kl, mc_kl_solution)]


test_solution_passes, test_stub_gets_a_hint_not_a_traceback = solution_tests(SOLUTIONS)


def _terms(mu, lv):
    return mu**2 + lv.exp() - 1 - lv


# The first three below (the exp term's sign, logvar as the std, a sum over the batch) a first probe at
# mu = 0, logvar = 0 used to hide behind generic hints (issue 14): the general probe now comes first.
@pytest.mark.parametrize("wrong, words", [
    (lambda mu, lv: 0.5 * (mu**2 - lv.exp() - 1 - lv).sum(1), "exp(logvar) term has the wrong sign"),
    (lambda mu, lv: 0.5 * (mu**2 + lv**2 - 1 - torch.log(lv**2)).sum(1), "logvar as the standard deviation"),
    (lambda mu, lv: 0.5 * _terms(mu, lv).sum(0), "summed over the examples (dim=0)"),
    (lambda mu, lv: -0.5 * _terms(mu, lv).sum(1), "sign is flipped"),
    (lambda mu, lv: (1 + lv - mu**2 - lv.exp()).sum(1), "the -1/2 in front of"),
    (lambda mu, lv: _terms(mu, lv).sum(1), "factor 1/2 in front"),
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - 1).sum(1) - lv.sum(1), "-logvar term is counted twice"),
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - lv).sum(1), "-1 term is missing"),
    (lambda mu, lv: 0.5 * (lv.exp() - 1 - lv).sum(1), "mu^2 term is missing"),
    (lambda mu, lv: 0.5 * (mu**2 - 1 - lv).sum(1), "exp(logvar) term is missing"),
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - 1).sum(1), "-logvar term is missing"),
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - 1 + lv).sum(1), "-logvar term has the wrong sign"),
    (lambda mu, lv: 0.5 * (mu + lv.exp() - 1 - lv).sum(1), "mu where mu^2 belongs"),
    (lambda mu, lv: 0.5 * (mu**2 + lv - 1 - torch.log(lv)).sum(1), "logvar as the variance"),
    (lambda mu, lv: 0.5 * (mu**2 + (0.5 * lv).exp() - 1 - lv).sum(1), "exp(logvar / 2), the standard deviation"),
    (lambda mu, lv: 0.5 * _terms(mu, lv).mean(1), "averaged over the latent dimensions"),
    (lambda mu, lv: 0.5 * _terms(mu, lv), "one value per latent dimension"),
    (lambda mu, lv: 0.5 * _terms(mu, lv).sum(), "one number for the whole batch"),
    (lambda mu, lv: 0.5 * _terms(mu, lv).sum(1).mean(), "averaged the KL over the examples"),
    (lambda mu, lv: 0.5 * _terms(mu, lv).sum(1, keepdim=True), "keepdim=True"),
], ids=["exp sign", "logvar as std", "sum(0)", "sign", "-1/2 dropped", "no 1/2", "1/2 missing on logvar",
        "no -1", "no mu^2", "no exp", "no -logvar", "logvar sign", "mu not squared", "logvar as variance",
        "std as variance", "mean over dims", "no sum", "sum()", "mean over the batch", "keepdim"])
def test_gaussian_kl_mistakes_get_their_own_hint(hint_for, wrong, words):
    assert words in hint_for(ex.check_gaussian_kl, wrong)


def _std(lv):
    return torch.exp(0.5 * lv)


@pytest.mark.parametrize("wrong, words", [
    (lambda mu, lv: mu + lv.exp() * torch.randn_like(mu), "exp(logvar), the variance"),
    (lambda mu, lv: mu + 0.5 * lv.exp() * torch.randn_like(mu), "the 1/2 goes inside the exp"),
    (lambda mu, lv: mu + lv * torch.randn_like(mu), "scaled eps by logvar itself"),
    (lambda mu, lv: mu + 0.5 * lv * torch.randn_like(mu), "logvar / 2 without the exp"),
    (lambda mu, lv: mu + torch.sqrt(lv) * torch.randn_like(mu), "holds NaN"),
    (lambda mu, lv: mu + _std(lv) * torch.rand_like(mu), "uniform on [0, 1]"),
    (lambda mu, lv: _std(lv) * torch.randn_like(mu), "centred on 0, not on mu"),
    (lambda mu, lv: mu + _std(lv) * torch.randn(mu.shape[1]), "every row of your z got the same noise"),
    (lambda mu, lv: mu.clone(), "not random"),
    (lambda mu, lv: mu + _std(lv) * torch.randn(len(mu))[None], "eps needs the shape of mu"),
    (lambda mu, lv: torch.normal(mu, _std(lv)), "dz/dmu should be 1"),
    (lambda mu, lv: torch.distributions.Normal(mu, _std(lv)).sample(), "cut from the graph"),
    (lambda mu, lv: (mu + _std(lv) * torch.randn_like(mu)).detach(), "cut from the graph"),
], ids=["variance", "0.5 * exp", "logvar", "logvar / 2", "sqrt(logvar)", "uniform noise", "no mu",
        "one noise row", "no noise", "noise per example only", "torch.normal", ".sample()", ".detach()"])
def test_reparameterize_mistakes_get_their_own_hint(hint_for, wrong, words):
    assert words in hint_for(ex.check_reparameterize, wrong)


def _mc_terms(mu, lv, n_samples, draw=None):
    """log q(z) - log p(z) for n_samples draws of z, (n_samples, N): z ~ q unless ``draw`` says otherwise."""
    eps = torch.randn(n_samples, *mu.shape)
    z = mu + _std(lv) * eps if draw is None else draw(eps)
    return log_normal_diag(z, mu, lv) - log_standard_normal(z)


@pytest.mark.parametrize("wrong, words", [
    (lambda mu, lv, n: -_mc_terms(mu, lv, n).mean(0), "sign is flipped"),
    (lambda mu, lv, n: _mc_terms(mu, lv, n).sum(0), "summed over the samples"),
    (lambda mu, lv, n: _mc_terms(mu, lv, n), "one value per sample"),
    (lambda mu, lv, n: _mc_terms(mu, lv, n).mean(), "one number for the whole batch"),
    (lambda mu, lv, n: _mc_terms(mu, lv, n, draw=lambda eps: eps).mean(0), "from the prior N(0, I)"),
    (lambda mu, lv, n: (_mc_terms(mu, lv, n) / mu.shape[1]).mean(0), "averages over the latent dimensions"),
    (lambda mu, lv, n: _mc_terms(mu, lv, n, draw=lambda eps: mu + _std(lv) * eps[:, 0]).mean(0),
     "one eps per sample, example and dimension"),
], ids=["sign", "sum over samples", "no mean", "mean of everything", "z from the prior", "mean over dims",
        "eps without the examples"])
def test_monte_carlo_kl_mistakes_get_their_own_hint(hint_for, wrong, words):
    assert words in hint_for(ex.check_monte_carlo_kl, wrong)


def test_monte_carlo_kl_per_dimension_gets_its_own_hint(hint_for):
    def per_dimension(mu, lv, n_samples):  # the log densities of each dimension, never summed
        z = mu + _std(lv) * torch.randn(n_samples, *mu.shape)
        log_q = -0.5 * ((z - mu) ** 2 / lv.exp() + lv + torch.log(torch.tensor(2 * torch.pi)))
        log_p = -0.5 * (z**2 + torch.log(torch.tensor(2 * torch.pi)))
        return (log_q - log_p).mean(0)
    assert "sum the log densities over the dimensions" in hint_for(ex.check_monte_carlo_kl, per_dimension)
