"""PCA and t-SNE embeddings against closed forms and the neighbourhoods they promise to keep."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vae_teach.analysis.embedding import embed_pca, embed_tsne


def test_pca_finds_the_two_directions_of_largest_variance():
    g = torch.Generator().manual_seed(0)
    scales = torch.tensor([5.0, 3.0, 0.1, 0.1])  # two wide axes, two narrow ones
    codes = torch.randn(500, 4, generator=g) * scales
    points, share = embed_pca(codes)
    # the projection keeps the two wide coordinates up to sign: |corr| ~ 1
    for k in range(2):
        assert abs(np.corrcoef(points[:, k], codes[:, k])[0, 1]) > 0.99
    expected = (scales ** 2 / (scales ** 2).sum())[:2]
    assert torch.allclose(share, expected, atol=0.03)


def test_tsne_keeps_well_separated_clusters_apart():
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(3, 10, generator=g) * 20
    labels = torch.arange(3).repeat_interleave(40)
    codes = centres[labels] + torch.randn(120, 10, generator=g)
    points = embed_tsne(codes, perplexity=15, max_iter=300)
    nearest = torch.cdist(points, points).fill_diagonal_(float("inf")).argmin(1)
    assert (labels[nearest] == labels).float().mean() == 1.0


@pytest.mark.parametrize("call, message", [
    (lambda: embed_pca(torch.zeros(5)), "expected codes as a finite"),
    (lambda: embed_tsne(torch.randn(10, 3), perplexity=20), "expected perplexity in"),
    (lambda: embed_tsne(torch.randn(10, 3), perplexity=3, max_iter=100), "expected max_iter >= 250"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
