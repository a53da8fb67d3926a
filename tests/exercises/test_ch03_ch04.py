"""Chapter 3-4 exercise checks: every solution passes, each common mistake gets its own hint, stubs never raise."""

import pytest
import torch
import torch.nn.functional as F

import vae_teach as vt
from vae_teach.exercises import HINT, PASS
from vae_teach.distributions import log_normal_diag, log_standard_normal

ex = vt.exercises
NORMAL = torch.distributions.Normal(0.0, 1.0)


def stub(*args):
    ...  # an unfilled exercise


def kl_solution(mu, logvar):
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


def reparam_solution(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def mc_kl_solution(mu, logvar, n_samples):
    z = mu + torch.exp(0.5 * logvar) * torch.randn(n_samples, *mu.shape)
    return (log_normal_diag(z, mu, logvar) - log_standard_normal(z)).mean(dim=0)


def bce(logits, x):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)


def elbo_solution(logits, x, mu, logvar):
    return (bce(logits, x) + vt.gaussian_kl(mu, logvar)).mean()


def sample_solution(model, n):
    return model.decode(torch.randn(n, model.latent_dim))


def quantile_solution(n):
    return NORMAL.icdf((torch.arange(n) + 0.5) / n)


SOLUTIONS = [(ex.check_gaussian_kl, kl_solution), (ex.check_reparameterize, reparam_solution),
             (ex.check_monte_carlo_kl, mc_kl_solution), (ex.check_negative_elbo, elbo_solution),
             (ex.check_sample_prior, sample_solution), (ex.check_quantile_axis, quantile_solution)]


@pytest.mark.parametrize("check, solution", SOLUTIONS)
def test_solution_passes(check, solution, capsys):
    assert check(solution) is True
    assert capsys.readouterr().out.replace("\n  ", " ").startswith(PASS)


@pytest.mark.parametrize("check", [c for c, _ in SOLUTIONS])
def test_stub_gets_a_hint_not_a_traceback(check, capsys):
    assert check(stub) is False
    out = capsys.readouterr().out.replace("\n  ", " ")
    assert out.startswith(HINT) and "returns None" in out


def hint_of(check, fn, capsys) -> str:
    assert check(fn) is False
    return capsys.readouterr().out.replace("\n  ", " ")


@pytest.mark.parametrize("wrong, words", [
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - 1 - lv).mean(1), "averaged over the latent dimensions"),
    (lambda mu, lv: -kl_solution(mu, lv), "sign is flipped"),
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - lv).sum(1), "-1 term is missing"),
    (lambda mu, lv: 2 * kl_solution(mu, lv), "factor 1/2"),
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - 1 - lv), "sum over the latent dimensions only (dim=1)"),
])
def test_gaussian_kl_mistakes_are_named(wrong, words, capsys):
    assert words in hint_of(ex.check_gaussian_kl, wrong, capsys)


@pytest.mark.parametrize("wrong, words", [
    (lambda mu, lv: mu + lv.exp() * torch.randn_like(mu), "exp(logvar), the variance"),
    (lambda mu, lv: torch.normal(mu, (0.5 * lv).exp()), "dz/dmu should be 1"),
    (lambda mu, lv: torch.distributions.Normal(mu, (0.5 * lv).exp()).sample(), "cut from the graph"),
    (lambda mu, lv: mu.clone(), "not random"),
])
def test_reparameterize_mistakes_are_named(wrong, words, capsys):
    assert words in hint_of(ex.check_reparameterize, wrong, capsys)


def test_monte_carlo_kl_with_flipped_sign_is_named(capsys):
    assert "sign is flipped" in hint_of(ex.check_monte_carlo_kl, lambda m, v, n: -mc_kl_solution(m, v, n), capsys)


@pytest.mark.parametrize("wrong, words", [
    (lambda l, x, m, v: -elbo_solution(l, x, m, v), "sign is flipped"),
    (lambda l, x, m, v: (bce(l, x) + vt.gaussian_kl(m, v)).sum(), "sums over the batch"),
    (lambda l, x, m, v: F.binary_cross_entropy_with_logits(l, x) + vt.gaussian_kl(m, v).mean(), "averages over the pixels"),
    (lambda l, x, m, v: bce(l, x).mean(), "KL term is missing"),
    (lambda l, x, m, v: (bce(l, x) + 0.5 * vt.gaussian_kl(m, v)).mean(), "weight 1/2"),
])
def test_negative_elbo_mistakes_are_named(wrong, words, capsys):
    assert words in hint_of(ex.check_negative_elbo, wrong, capsys)


@pytest.mark.parametrize("wrong, words", [
    (lambda m, n: m.decode(torch.rand(n, m.latent_dim)), "uniform on [0, 1]"),
    (lambda m, n: m.decode_logits(torch.randn(n, m.latent_dim)), "those are logits"),
    (lambda m, n: m.decode(3 * torch.randn(n, m.latent_dim)), "std"),
])
def test_sample_prior_mistakes_are_named(wrong, words, capsys):
    assert words in hint_of(ex.check_sample_prior, wrong, capsys)


def test_sample_prior_solution_works_on_a_real_vae():
    images = sample_solution(vt.VAE(latent_dim=4), 3)
    assert images.shape == (3, 1, 28, 28)


@pytest.mark.parametrize("wrong, words", [
    (lambda n: torch.linspace(-3, 3, n), "evenly spaced in z"),
    (lambda n: NORMAL.icdf(torch.linspace(0, 1, n)), "infinite ends"),
    (lambda n: NORMAL.icdf((torch.arange(n) + 1.0) / (n + 1)), "cell centres"),
])
def test_quantile_axis_mistakes_are_named(wrong, words, capsys):
    assert words in hint_of(ex.check_quantile_axis, wrong, capsys)


def test_sampling_checks_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ex.check_sample_prior(sample_solution)
    ex.check_gaussian_kl(kl_solution)
    assert torch.equal(torch.rand(3), expected)


# Mistakes whose specific hint a first probe at mu = 0, logvar = 0 used to hide (issue 14).
@pytest.mark.parametrize("wrong, words", [
    (lambda mu, lv: 0.5 * (mu**2 - lv.exp() - 1 - lv).sum(1), "the exp(logvar) term has the wrong sign"),
    (lambda mu, lv: 0.5 * (mu**2 + lv**2 - 1 - torch.log(lv**2)).sum(1), "treats logvar as the standard deviation"),
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - 1 - lv).sum(dim=0), "you summed over the examples (dim=0)"),
])
def test_kl_check_names_the_specific_mistake_first(wrong, words, capsys):
    out = hint_of(ex.check_gaussian_kl, wrong, capsys)
    assert words in out, out
