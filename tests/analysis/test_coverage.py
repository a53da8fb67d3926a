"""Coverage measures against brute-force oracles written here (double loops, scikit-learn's neighbours)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.neighbors import NearestNeighbors

import vae_teach as vt
from vae_teach.analysis import coverage


def _points(n: int, f: int = 5, seed: int = 0, shift: float = 0.0) -> torch.Tensor:
    return torch.randn(n, f, generator=torch.Generator().manual_seed(seed)) + shift


def test_knn_radii_match_scikit_learns_kth_neighbour_excluding_the_point_itself():
    x = _points(300)
    distances, _ = NearestNeighbors(n_neighbors=4).fit(x.numpy()).kneighbors(x.numpy())
    # scikit-learn's first neighbour of a training point is the point itself, at distance 0
    assert np.allclose(coverage.knn_radii(x, k=3).numpy(), distances[:, 3], atol=1e-5)


def test_inside_manifold_matches_a_double_loop_over_balls():
    support, queries = _points(40, f=3, seed=1), _points(60, f=3, seed=2, shift=0.8)
    d_support = np.linalg.norm(support.numpy()[:, None] - support.numpy()[None], axis=2)
    radii = [sorted(row[np.arange(len(row)) != i])[2] for i, row in enumerate(d_support)]
    expected = [any(np.linalg.norm(q - s) <= r for s, r in zip(support.numpy(), radii)) for q in queries.numpy()]
    got = coverage.inside_manifold(support, queries, k=3)
    assert got.tolist() == expected and 0 < sum(expected) < len(expected)  # the case is not trivial


def test_precision_and_recall_of_a_set_against_itself_are_one():
    x = _points(200)
    assert coverage.manifold_precision_recall(x, x, k=3) == (1.0, 1.0)


def test_a_set_on_one_mode_of_two_has_full_precision_and_half_recall_at_most():
    """Real data on two far-apart blobs; generated data on one of them (a mode collapse)."""
    real = torch.cat([_points(200, seed=3), _points(200, seed=4, shift=50.0)])
    collapsed = _points(400, seed=5)
    precision, recall = coverage.manifold_precision_recall(real, collapsed, k=3)
    assert precision > 0.9 and recall <= 0.5


def test_effective_classes_is_exp_entropy():
    counts = np.array([5, 0, 3, 2])
    shares = np.array([0.5, 0.3, 0.2])
    assert math.isclose(coverage.effective_classes(counts), math.exp(-(shares * np.log(shares)).sum()))
    assert math.isclose(coverage.effective_classes(np.ones(10)), 10.0)
    assert coverage.effective_classes(np.array([0, 7, 0])) == 1.0


def test_classifier_features_are_the_hidden_layer_after_its_relu():
    clf = vt.DigitClassifier(hidden_dims=(16,), seed=0)
    x = torch.rand(7, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    first = clf.net[0]
    expected = torch.relu(x.flatten(1) @ first.weight.T + first.bias)
    assert torch.allclose(coverage.classifier_features(clf, x), expected, atol=1e-6)


def test_sample_coverage_reads_the_classes_and_uses_equal_sizes_for_precision_and_recall():
    clf = vt.DigitClassifier(hidden_dims=(16,), seed=0)
    real = torch.rand(30, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    fake = torch.rand(50, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    got = coverage.sample_coverage(clf, real, fake)
    counts = np.bincount(clf.predict(fake).numpy(), minlength=10)
    assert np.allclose(got["shares"], counts / 50) and got["smallest"] == pytest.approx(counts.min() / 50)
    features = coverage.classifier_features
    assert (got["precision"], got["recall"]) == coverage.manifold_precision_recall(
        features(clf, real), features(clf, fake[:30]))


@pytest.mark.parametrize("call, message", [
    (lambda: coverage.knn_radii(torch.zeros(3, 2), k=3), "expected k below the number of points"),
    (lambda: coverage.knn_radii(torch.zeros(3), k=1), r"expected features as a \(N, F\)"),
    (lambda: coverage.inside_manifold(torch.zeros(5, 2), torch.zeros(5, 3)), "the same number of features"),
    (lambda: coverage.effective_classes(np.zeros(4)), "positive sum"),
    (lambda: coverage.classifier_features(object(), torch.zeros(1, 1, 28, 28)), "expected the digit classifier"),
])
def test_bad_input_is_refused_with_what_was_expected(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
