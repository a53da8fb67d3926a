import pytest
import torch
from scipy.spatial.distance import cdist

import vae_teach as vt


def _codes(n=200, d=3, seed=0):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed))


def test_random_codes_lie_in_the_bounding_box_of_the_codes():
    codes = _codes()
    random = vt.random_codes_like(codes, n=500, seed=1)
    assert random.shape == (500, 3)
    assert (random >= codes.min(0).values).all() and (random <= codes.max(0).values).all()


def test_random_codes_repeat_with_the_seed():
    codes = _codes()
    assert torch.equal(vt.random_codes_like(codes, 5, seed=2), vt.random_codes_like(codes, 5, seed=2))


def test_nearest_distance_matches_scipy():
    codes, queries = _codes(), _codes(n=30, seed=1)
    expected = cdist(queries.double().numpy(), codes.double().numpy()).min(axis=1)
    assert torch.allclose(vt.nearest_distance(queries, codes).double(), torch.as_tensor(expected), atol=1e-5)


def test_nearest_distance_can_exclude_each_code_itself():
    codes = torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    assert torch.allclose(vt.nearest_distance(codes, codes, exclude_self=True), torch.tensor([1.0, 4.2426, 1.0]),
                          atol=1e-4)


def test_share_in_holes_counts_far_codes_only():
    codes = _codes()
    far = codes[:10] + 100.0
    assert vt.share_in_holes(far, codes)[0] == 1.0
    assert vt.share_in_holes(codes[:50], codes)[0] == 0.0


def test_codes_helpers_refuse_non_2d_input():
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        vt.random_codes_like(torch.zeros(5), n=3)
