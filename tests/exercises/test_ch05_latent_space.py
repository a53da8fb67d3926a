"""Chapter 5's exercise checks: solutions pass, stubs and typical mistakes get one hint."""

from __future__ import annotations

import pytest
import torch

import vae_teach as vt
from vae_teach.exercises import HINT, PASS


@pytest.fixture(scope="module")
def vae_and_images():
    return vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0), vt.load_mnist().test_x[:8]


def _slerp_solution(z0, z1, steps):
    t = torch.linspace(0, 1, steps)[:, None]
    omega = torch.arccos((torch.dot(z0, z1) / (z0.norm() * z1.norm())).clamp(-1, 1))
    if omega < 1e-6:
        return (1 - t) * z0 + t * z1
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


def _grid_solution(z, radius, n):
    a = torch.linspace(-radius, radius, n)
    return z + torch.stack(torch.meshgrid(a, a, indexing="ij"), dim=-1).reshape(-1, 2)


def _stub(*args):
    ...


def test_slerp_solution_passes(capsys):
    assert vt.exercises.check_slerp(_slerp_solution)
    assert capsys.readouterr().out.replace("\n  ", " ").startswith(PASS)


def test_slerp_stub_gets_a_hint_not_a_traceback(capsys):
    assert not vt.exercises.check_slerp(_stub)
    assert capsys.readouterr().out.replace("\n  ", " ").startswith(HINT)


def test_slerp_check_names_a_straight_line(capsys):
    assert not vt.exercises.check_slerp(lambda a, b, n: vt.lerp(a, b, n))
    assert "lerp" in capsys.readouterr().out.replace("\n  ", " ")


def test_slerp_check_names_a_division_by_zero_for_equal_codes(capsys):
    def no_fallback(z0, z1, steps):
        t = torch.linspace(0, 1, steps)[:, None]
        omega = torch.arccos((torch.dot(z0, z1) / (z0.norm() * z1.norm())).clamp(-1, 1))
        return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)
    assert not vt.exercises.check_slerp(no_fallback)
    assert "omega is 0" in capsys.readouterr().out.replace("\n  ", " ")


def test_find_code_solution_passes_and_stub_hints(vae_and_images, capsys):
    vae, x = vae_and_images
    assert vt.exercises.check_find_code(lambda m, im: m.encode(im)[0], vae, x)
    assert not vt.exercises.check_find_code(_stub, vae, x)
    out = capsys.readouterr().out.replace("\n  ", " ").splitlines()
    assert out[0].startswith(PASS) and out[1].startswith(HINT)


def test_find_code_check_names_a_sample_instead_of_the_mean(vae_and_images, capsys):
    vae, x = vae_and_images
    assert not vt.exercises.check_find_code(lambda m, im: vt.reparameterize(*m.encode(im)), vae, x)
    assert "sampled" in capsys.readouterr().out.replace("\n  ", " ")


def test_neighbourhood_solution_passes_and_stub_hints(capsys):
    assert vt.exercises.check_neighbourhood(_grid_solution)
    assert not vt.exercises.check_neighbourhood(_stub)
    out = capsys.readouterr().out.replace("\n  ", " ").splitlines()
    assert out[0].startswith(PASS) and out[1].startswith(HINT)


def test_neighbourhood_check_names_a_grid_not_centred_on_the_code(capsys):
    assert not vt.exercises.check_neighbourhood(lambda z, r, n: _grid_solution(torch.zeros(2), r, n))
    assert "centred on (0, 0)" in capsys.readouterr().out.replace("\n  ", " ")


# ------------------------------------------------------------------ each common mistake, its own hint

def _t(steps):
    return torch.linspace(0, 1, steps)[:, None]


def _omega(z0, z1, normalise=True):
    cos = torch.dot(z0, z1) / (z0.norm() * z1.norm()) if normalise else torch.dot(z0, z1)
    return torch.arccos(cos)


def _weighted(z0, z1, steps, w0, w1):
    t, omega = _t(steps), _omega(z0, z1)
    return (w0(t, omega) * z0 + w1(t, omega) * z1) / torch.sin(omega)


@pytest.mark.parametrize("wrong, words", [
    (lambda z0, z1, n: _slerp_solution(z0, z1, n).T, "shape (D, steps)"),
    (lambda z0, z1, n: vt.lerp(z0, z1, n), "straight line (lerp)"),
    (lambda z0, z1, n: (1 - _t(n)) * z0 + _t(n) * z1, "straight line (lerp)"),
    (lambda z0, z1, n: _slerp_solution(z0, z1, n) * torch.sin(_omega(z0, z1)), "division by sin(omega)"),
    (lambda z0, z1, n: _slerp_solution(z0, z1, n).flip(0), "runs from z1 to z0"),
    (lambda z0, z1, n: torch.sin((1 - _t(n)) * _omega(z0, z1, False)) * z0 / torch.sin(_omega(z0, z1, False))
     + torch.sin(_t(n) * _omega(z0, z1, False)) * z1 / torch.sin(_omega(z0, z1, False)), "holds NaN"),
    (lambda z0, z1, n: _weighted(z0, z1, n, lambda t, w: torch.sin(t * w), lambda t, w: torch.sin(t * w)),
     "start at z0"),
    (lambda z0, z1, n: _weighted(z0, z1, n, lambda t, w: torch.sin((1 - t) * w) * 1.1,
                                 lambda t, w: torch.sin(t * w) * 1.1), "start at z0"),
    (lambda z0, z1, n: list(_slerp_solution(z0, z1, n)), "stack them"),
    (lambda z0, z1, n: torch.sin((1 - torch.linspace(0, 1, n)) * _omega(z0, z1)) * z0, "axis of its own"),
], ids=["transposed", "vt.lerp", "lerp", "no / sin", "reversed", "unnormalised cos", "same weight",
        "scaled", "list", "t without axis"])
def test_slerp_mistakes_get_their_own_hint(hint_for, wrong, words):
    assert words in hint_for(vt.exercises.check_slerp, wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda m, im: m.encode(im), "a tuple (mu, logvar?)"),
    (lambda m, im: m(im), "the model's whole output (VAEOutput)"),
    (lambda m, im: m.encode(im)[1], "that is logvar"),
    (lambda m, im: torch.exp(0.5 * m.encode(im)[1]), "standard deviation"),
    (lambda m, im: vt.reparameterize(*m.encode(im)), "you sampled z"),
    (lambda m, im: m.encode(im[:1])[0][0], "encode the whole batch"),
], ids=["tuple", "forward", "logvar", "std", "sampled", "one image"])
def test_find_code_mistakes_get_their_own_hint(vae_and_images, hint_for, wrong, words):
    vae, x = vae_and_images
    assert words in hint_for(vt.exercises.check_find_code, wrong, vae, x)


def _axis(radius, n):
    return torch.linspace(-radius, radius, n)


@pytest.mark.parametrize("wrong, words", [
    (lambda z, r, n: _grid_solution(torch.zeros(2), r, n), "centred on (0, 0)"),
    (lambda z, r, n: z + torch.stack(torch.meshgrid(_axis(r, n), _axis(r, n), indexing="ij"), dim=-1),
     "shape (n, n, 2)"),
    (lambda z, r, n: z + torch.stack(torch.meshgrid(_axis(r, n), _axis(r, n), indexing="xy"), -1).reshape(-1, 2),
     "right points, wrong order"),
    (lambda z, r, n: _grid_solution(z, r / 2, n), "spans 1.00 across"),
    (lambda z, r, n: torch.meshgrid(_axis(r, n), _axis(r, n), indexing="ij"), "meshgrid gives one tensor"),
    (lambda z, r, n: z + torch.stack([_axis(r, n), _axis(r, n)], dim=1), "n points along a line"),
    (lambda z, r, n: _grid_solution(z, r, n).T, "rows and columns are swapped"),
], ids=["not centred", "(n, n, 2)", "xy order", "half radius", "meshgrid tuple", "diagonal", "transposed"])
def test_neighbourhood_mistakes_get_their_own_hint(hint_for, wrong, words):
    assert words in hint_for(vt.exercises.check_neighbourhood, wrong)
