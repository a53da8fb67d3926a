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
