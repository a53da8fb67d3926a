"""Chapter 7's figures: what each draws, read back from the matplotlib artists."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from vae_teach.plot.tradeoffs import plot_class_shares, plot_embeddings, plot_rate_distortion  # noqa: E402

ROWS = [{"beta": 0.5, "rate": 30.0, "distortion": 90.0}, {"beta": 1.0, "rate": 20.0, "distortion": 96.0},
        {"beta": 4.0, "rate": 7.0, "distortion": 130.0}]


def test_the_rate_distortion_points_and_the_best_iso_line():
    ax = plot_rate_distortion(ROWS)
    points = [line for line in ax.lines if line.get_marker() == "o"][0]
    assert points.get_xdata().tolist() == [30.0, 20.0, 7.0] and points.get_ydata().tolist() == [90.0, 96.0, 130.0]
    best = [line for line in ax.lines if "best" in str(line.get_label())][0]
    x, y = best.get_xdata(), best.get_ydata()
    assert np.allclose(x + y, 116.0)  # rate + distortion of the beta = 1 point, the lowest sum
    assert ax.get_title() and ax.get_xlabel().startswith("rate") and ax.get_ylabel().startswith("distortion")
    plt.close("all")


def test_class_shares_draw_one_bar_per_digit_and_model():
    shares = {"a": np.full(10, 0.1), "b": np.eye(10)[3]}
    ax = plot_class_shares(shares, np.full(10, 0.1))
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 20 and heights[10 + 3] == 1.0
    with pytest.raises(ValueError, match=r"expected shares of shape \(10,\)"):
        plot_class_shares({"c": np.ones(3)}, np.ones(10))
    plt.close("all")


def test_embeddings_put_each_digit_in_its_colour_with_named_axes():
    points = np.arange(40, dtype=float).reshape(20, 2)
    labels = np.arange(20) % 10
    fig = plot_embeddings({"PCA": points, "t-SNE": points}, labels, [("PC 1", "PC 2"), ("t-SNE 1", "t-SNE 2")])
    left, right = fig.axes[:2]
    assert (left.get_xlabel(), right.get_ylabel()) == ("PC 1", "t-SNE 2")
    assert len(left.collections) == 10 and left.collections[3].get_offsets().shape == (2, 2)
    with pytest.raises(ValueError, match="one \\(x, y\\) axis name pair per panel"):
        plot_embeddings({"PCA": points}, labels, [])
    plt.close("all")
