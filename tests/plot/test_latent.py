"""Latent maps speak the book's one visual language: the digit palette, named clusters, the prior drawn."""

from __future__ import annotations

import re
from importlib import resources

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex
from matplotlib.patches import Circle

import vae_teach as vt
from vae_teach.plot.style import DIGIT_COLOURS


def test_the_explorers_use_the_figures_digit_colours():
    core = resources.files("vae_teach.explore").joinpath("static/core.js").read_text()
    listed = re.search(r"const DIGIT_COLOURS = \[(.*?)\];", core, re.S).group(1)
    assert tuple(c.upper() for c in re.findall(r"'(#[0-9A-Fa-f]{6})'", listed)) == DIGIT_COLOURS


def test_each_digit_has_its_colour_and_its_name_at_the_median_of_its_codes():
    g = torch.Generator().manual_seed(0)
    labels = torch.arange(200) % 10
    codes = torch.randn(200, 2, generator=g) * 0.3 + torch.stack([labels * 1.0, -labels * 1.0], dim=1)
    ax = vt.plot_latent_scatter(codes, labels)
    for digit, points in enumerate(ax.collections):
        assert to_hex(points.get_facecolor()[0]).upper() == DIGIT_COLOURS[digit]
    names = {t.get_text(): t.get_position() for t in ax.texts}
    for digit in range(10):
        expected = np.median(codes[labels == digit].numpy(), axis=0)
        assert np.allclose(names[str(digit)], expected), digit
    plt.close("all")


def test_the_prior_is_drawn_at_one_and_two_standard_deviations_and_can_be_left_out():
    codes, labels = torch.randn(50, 2) * 5, torch.arange(50) % 10
    ax = vt.plot_latent_scatter(codes, labels)
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert sorted(c.get_radius() for c in circles) == [1.0, 2.0]
    assert all(c.center == (0.0, 0.0) for c in circles)
    ticks = ax.get_xticks()
    assert 0.0 in ticks and np.allclose(ticks, np.round(ticks, 1))  # round values, 0 among them
    ax = vt.plot_latent_scatter(codes, labels, prior=False)
    assert not [p for p in ax.patches if isinstance(p, Circle)]
    plt.close("all")


def test_labels_must_match_the_codes():
    with pytest.raises(ValueError, match=r"expected labels of shape \(5,\); got \(4,\)"):
        vt.plot_latent_scatter(torch.randn(5, 2), torch.zeros(4))


def test_side_by_side_maps_can_leave_the_prior_out():
    codes = torch.randn(200, 2, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(200) % 10
    with_prior = vt.plot_latent_maps({"a": codes, "b": codes}, labels)
    without = vt.plot_latent_maps({"a": codes, "b": codes}, labels, prior=False)
    assert [len(ax.patches) for ax in with_prior.axes] == [2, 2]  # circles at 1 and 2 sd
    assert [len(ax.patches) for ax in without.axes] == [0, 0]
    plt.close("all")
