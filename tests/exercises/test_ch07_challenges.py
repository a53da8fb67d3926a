"""Chapter 7's exercise checks: solutions pass, stubs and each typical mistake get one hint."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import vae_teach as vt
from vae_teach.exercises import HINT, PASS


def _out(capsys) -> str:
    return capsys.readouterr().out.replace("\n  ", " ")


def _loss(vae, x, eps, std_bug=False, sigmoid_bug=False, pixel_bug=False, batch_bug=False):
    """The exercise's loss written independently of the check, each bug switchable."""
    mu, logvar = vae.encode(x)
    z = mu + (logvar if std_bug else torch.exp(0.5 * logvar)) * eps
    logits = vae.decode_logits(z)
    if sigmoid_bug:
        logits = torch.sigmoid(logits)
    if pixel_bug:
        recon = F.binary_cross_entropy_with_logits(logits, x)
    else:
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
    return recon + (kl.sum() if batch_bug else kl.sum() / x.shape[0])


def test_fixed_loss_solution_passes(capsys):
    assert vt.exercises.check_fixed_loss(_loss)
    assert _out(capsys).startswith(PASS)


def test_fixed_loss_stub_gets_a_hint(capsys):
    assert not vt.exercises.check_fixed_loss(lambda vae, x, eps: ...)
    assert _out(capsys).startswith(HINT)


@pytest.mark.parametrize("bugs, words", [
    (dict(std_bug=True), ["one bug", "logvar as the standard deviation"]),
    (dict(sigmoid_bug=True), ["one bug", "double sigmoid"]),
    (dict(pixel_bug=True, batch_bug=True), ["2 bugs", "averaged over the pixels", "summed over the batch"]),
    (dict(std_bug=True, sigmoid_bug=True, pixel_bug=True, batch_bug=True), ["4 bugs"]),
])
def test_fixed_loss_names_the_bugs_left_in(bugs, words, capsys):
    assert not vt.exercises.check_fixed_loss(lambda vae, x, eps: _loss(vae, x, eps, **bugs))
    out = _out(capsys)
    assert out.startswith(HINT) and all(w in out for w in words)


def test_fixed_loss_names_a_per_example_loss(capsys):
    def per_example(vae, x, eps):
        return torch.stack([_loss(vae, x[i:i + 1], eps[i:i + 1]) for i in range(x.shape[0])])
    assert not vt.exercises.check_fixed_loss(per_example)
    assert "mean over the batch" in _out(capsys)


def _free_bits(mu, logvar, nats):
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)
    return torch.clamp(kl.mean(dim=0), min=nats).sum()


def test_free_bits_solution_passes(capsys):
    assert vt.exercises.check_free_bits(_free_bits)
    assert _out(capsys).startswith(PASS)


def test_free_bits_stub_gets_a_hint(capsys):
    assert not vt.exercises.check_free_bits(lambda mu, logvar, nats: ...)
    assert _out(capsys).startswith(HINT)


def test_free_bits_refuses_the_packages_own_answer(capsys):
    assert not vt.exercises.check_free_bits(lambda mu, logvar, nats: vt.free_bits_kl(mu, logvar, nats).mean())
    assert "package's own answer" in _out(capsys)


@pytest.mark.parametrize("wrong, words", [
    (lambda kl, n: kl.clamp(min=n).sum(1).mean(), "each example's KL"),
    (lambda kl, n: kl.sum(1).mean().clamp(min=n), "floor the total KL"),
    (lambda kl, n: kl.mean(0).clamp(max=n).sum(), "not a ceiling"),
    (lambda kl, n: kl.sum(0).clamp(min=n).sum(), "sum over the batch"),
    (lambda kl, n: 0.5 * kl.mean(0).clamp(min=n).sum(), None),
])
def test_free_bits_names_the_mistake(wrong, words, capsys):
    def answer(mu, logvar, nats):
        return wrong(0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar), nats)
    assert not vt.exercises.check_free_bits(answer)
    out = _out(capsys)
    assert out.startswith(HINT) and (words is None or words in out)


def test_free_bits_names_a_gradient_below_the_floor(capsys):
    def smooth(mu, logvar, nats):  # right value where the floor binds, but a gradient leaks through
        kl = (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)).mean(0)
        floored = torch.where(kl < nats, nats + 0.0 * kl + (kl - kl.detach()), kl)
        return floored.sum()
    assert not vt.exercises.check_free_bits(smooth)
    assert "still has a gradient" in _out(capsys)
