"""Latent maps: the digits written on their clusters, the prior's circles, equal scales."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

import vae_teach as vt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _circles(ax):
    return sorted((c.center, c.radius) for c in ax.patches if isinstance(c, Circle))


def test_each_class_is_labelled_at_the_median_of_its_codes_not_the_mean():
    # class 0: median (1, 0), mean (11/3, 0); class 1: median (0, 5)
    codes = torch.tensor([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [0.0, 4.0], [0.0, 5.0], [0.0, 6.0]])
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    ax = vt.plot_latent_scatter(codes, labels)
    positions = {t.get_text(): t.get_position() for t in ax.texts}
    assert positions == {"0": (1.0, 0.0), "1": (0.0, 5.0)}


def test_cluster_labels_use_the_class_names_and_can_be_left_out():
    codes, labels = torch.randn(20, 2), torch.arange(20) % 2
    named = vt.plot_latent_scatter(codes, labels, class_names=["zero", "one"])
    assert sorted(t.get_text() for t in named.texts) == ["one", "zero"]
    _, ax = plt.subplots()
    assert len(vt.plot_latent_scatter(codes, labels, ax=ax, label_clusters=False).texts) == 0


def test_the_prior_is_drawn_as_circles_of_radius_one_and_two_at_the_origin():
    ax = vt.plot_latent_scatter(torch.randn(20, 2) + 10, torch.zeros(20), prior=True)
    assert _circles(ax) == [((0.0, 0.0), 1.0), ((0.0, 0.0), 2.0)]
    # the circles widen the view to the origin even when the codes lie far from it
    assert ax.get_xlim()[0] <= -2.0 and ax.get_ylim()[0] <= -2.0
    assert "prior: 1 sd" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_no_prior_circles_unless_asked():
    assert _circles(vt.plot_latent_scatter(torch.randn(20, 2), torch.zeros(20))) == []


def test_latent_maps_draw_the_prior_on_every_panel_and_keep_scales_equal():
    codes, labels = torch.randn(30, 2), torch.arange(30) % 3
    fig = vt.plot_latent_maps({"AE": 5 * codes, "VAE": codes}, labels, prior=True)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [len(_circles(ax)) for ax in panels] == [2, 2]
    assert all(ax.get_aspect() == 1.0 for ax in panels)
