import math

import numpy as np
import pytest
import torch

from vae_teach.analysis.paths import (class_direction, class_means, interpolate, lerp, move_along,
                                  path_norms, slerp, traversal_codes)


def _codes(seed: int = 0, d: int = 16):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(d, generator=g), torch.randn(d, generator=g)


def test_lerp_starts_at_z0_ends_at_z1_and_is_evenly_spaced():
    a, b = _codes()
    path = lerp(a, b, steps=5)
    assert torch.allclose(path[0], a, atol=1e-6) and torch.allclose(path[-1], b, atol=1e-6)
    gaps = (path[1:] - path[:-1]).norm(dim=1)
    assert torch.allclose(gaps, gaps[0].expand(4), atol=1e-5)


def test_slerp_starts_at_z0_and_ends_at_z1():
    a, b = _codes()
    path = slerp(a, b, steps=7)
    assert torch.allclose(path[0], a, atol=1e-5) and torch.allclose(path[-1], b, atol=1e-5)


def test_slerp_keeps_the_norm_of_equal_norm_endpoints():
    a, b = _codes()
    b = b / b.norm() * a.norm()
    norms = path_norms(slerp(a, b, steps=11))
    assert torch.allclose(norms, a.norm().expand(11), rtol=1e-5)


def test_slerp_midpoint_of_orthogonal_unit_vectors_is_on_the_diagonal():
    mid = slerp(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]), steps=3)[1]
    assert torch.allclose(mid, torch.tensor([1.0, 1.0]) / math.sqrt(2.0), atol=1e-6)


def test_slerp_agrees_with_lerp_for_a_tiny_angle():
    a, _ = _codes()
    b = a + 1e-4 * torch.randn(a.shape, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(slerp(a, b, 9), lerp(a, b, 9), atol=1e-6)


def test_lerp_midpoint_of_independent_gaussian_codes_is_shorter_than_sqrt_d():
    # why slerp suits N(0, I): in D dims a straight path dips to about sqrt(D / 2) at the middle
    d = 512
    a, b = _codes(seed=1, d=d)
    mid = lerp(a, b, 3)[1]
    assert abs(float(mid.norm()) - math.sqrt(d / 2)) < 0.1 * math.sqrt(d)
    assert abs(float(slerp(a, b, 3)[1].norm()) - math.sqrt(d)) < 0.1 * math.sqrt(d)


def test_interpolate_refuses_an_unknown_method():
    a, b = _codes()
    with pytest.raises(ValueError, match="linear' or 'spherical"):
        interpolate(a, b, 5, method="cubic")


def test_paths_refuse_codes_of_different_sizes():
    with pytest.raises(ValueError, match="same shape"):
        lerp(torch.zeros(3), torch.zeros(4))


def test_traversal_changes_only_the_chosen_dimension():
    z = torch.arange(5.0)
    codes = traversal_codes(z, dim=2, values=[-1.0, 0.0, 1.0])
    assert codes[:, 2].tolist() == [-1.0, 0.0, 1.0]
    others = codes[:, [0, 1, 3, 4]]
    assert torch.equal(others, z[[0, 1, 3, 4]].expand(3, 4))


def test_traversal_refuses_a_dimension_out_of_range():
    with pytest.raises(ValueError, match=r"\[0, 4\]"):
        traversal_codes(torch.zeros(5), dim=5, values=[0.0])


def test_class_means_match_a_numpy_loop():
    g = torch.Generator().manual_seed(0)
    codes, labels = torch.randn(200, 3, generator=g), torch.randint(0, 10, (200,), generator=g)
    expected = np.stack([codes.numpy()[labels.numpy() == c].mean(axis=0) for c in range(10)])
    assert np.allclose(class_means(codes, labels).numpy(), expected, atol=1e-6)


def test_class_direction_points_from_source_mean_to_target_mean():
    codes = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 4.0], [0.0, 2.0]])
    labels = torch.tensor([1, 1, 7, 7])
    assert torch.allclose(class_direction(codes, labels, source=1, target=7), torch.tensor([-1.0, 3.0]))


def test_class_direction_refuses_an_absent_class():
    with pytest.raises(ValueError, match="target"):
        class_direction(torch.zeros(2, 2), torch.tensor([0, 1]), source=0, target=5)


def test_move_along_adds_multiples_of_the_direction():
    out = move_along(torch.tensor([1.0, 1.0]), torch.tensor([0.0, 2.0]), [0.0, 0.5, 1.0])
    assert out.tolist() == [[1.0, 1.0], [1.0, 2.0], [1.0, 3.0]]
