"""Chapter 6's exercise checks: solutions pass, stubs and typical mistakes get one hint."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import torch
from PIL import Image

import vae_teach as vt
from vae_teach.exercises import HINT, PASS


def _out(capsys):
    return capsys.readouterr().out.replace("\n  ", " ")


def _auroc_solution(normal, anomalous):
    diff = anomalous[:, None] - normal[None, :]
    return float(((diff > 0).double() + 0.5 * (diff == 0).double()).mean())


def _stub(*args):
    ...


def test_auroc_solution_passes_and_stub_hints(capsys):
    assert vt.exercises.check_auroc(_auroc_solution)
    assert not vt.exercises.check_auroc(_stub)
    out = _out(capsys).splitlines()
    assert out[0].startswith(PASS) and out[1].startswith(HINT)


@pytest.mark.parametrize("wrong, words", [
    (lambda n, a: 1 - _auroc_solution(n, a), "1 - AUROC"),
    (lambda n, a: float((a[:, None] > n[None, :]).double().mean()), "count it one half"),
    (lambda n, a: float((a[:, None] >= n[None, :]).double().mean()), "ties count as a win"),
    (lambda n, a: torch.ones(3), "one number"),
    (lambda n, a: vt.auroc(n, a), "the package's own answer"),
])
def test_auroc_check_names_the_mistake(wrong, words, capsys):
    assert not vt.exercises.check_auroc(wrong)
    assert words in _out(capsys)


def _png_nats(images):
    sizes = []
    for image in images[:, 0]:
        buffer = io.BytesIO()
        Image.fromarray((image.numpy() * 255).round().astype(np.uint8)).save(buffer, format="PNG", optimize=True)
        sizes.append(len(buffer.getvalue()))
    return torch.tensor(sizes, dtype=torch.float64) * 8 * math.log(2)


@pytest.fixture(scope="module")
def images():
    return vt.load_mnist().test_x[:8]


def test_complexity_solution_passes_and_stub_hints(images, capsys):
    assert vt.exercises.check_complexity_score(lambda nll, x: nll - _png_nats(x), images)
    assert not vt.exercises.check_complexity_score(_stub, images)
    out = _out(capsys).splitlines()
    assert out[0].startswith(PASS) and out[1].startswith(HINT)


@pytest.mark.parametrize("wrong, words", [
    (lambda nll, x: nll - _png_nats(x) / (8 * math.log(2)), "in bytes"),
    (lambda nll, x: nll - _png_nats(x) / math.log(2), "in bits"),
    (lambda nll, x: nll + _png_nats(x), "MINUS"),
    (lambda nll, x: nll - _png_nats(x).mean(), "mean PNG length"),
    (lambda nll, x: vt.complexity_corrected(nll, x), "the package's own answer"),
])
def test_complexity_check_names_the_mistake(images, wrong, words, capsys):
    assert not vt.exercises.check_complexity_score(wrong, images)
    assert words in _out(capsys)


@pytest.fixture(scope="module")
def cvae_data():
    data = vt.load_mnist()
    return vt.ConditionalVAE(latent_dim=2, hidden_dims=(16,), seed=0), data.test_x[:4], data.test_y[:4]


def _style_solution(cvae, image, label, digit):
    mu, _ = cvae.encode(image, torch.tensor([label]))
    return cvae.decode(mu, torch.tensor([digit]))


def test_style_solution_passes_and_stub_hints(cvae_data, capsys):
    assert vt.exercises.check_style_transfer(_style_solution, *cvae_data)
    assert not vt.exercises.check_style_transfer(_stub, *cvae_data)
    out = _out(capsys).splitlines()
    assert out[0].startswith(PASS) and out[1].startswith(HINT)


@pytest.mark.parametrize("wrong, words", [
    (lambda m, x, y, d: m.decode(m.encode(x, torch.tensor([d]))[0], torch.tensor([d])), "own label"),
    (lambda m, x, y, d: m.decode(vt.reparameterize(*m.encode(x, torch.tensor([y]))), torch.tensor([d])),
     "sampled z"),
    (lambda m, x, y, d: m.decode_logits(m.encode(x, torch.tensor([y]))[0], torch.tensor([d])), "logits"),
])
def test_style_check_names_the_mistake(cvae_data, wrong, words, capsys):
    assert not vt.exercises.check_style_transfer(wrong, *cvae_data)
    assert words in _out(capsys)
