import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import vae_teach as vt
from vae_teach.explore.pager import grid_png
from vae_teach.plot.images import image_grid


def test_image_grid_places_each_image_in_its_tile():
    images = torch.stack([torch.full((1, 28, 28), v) for v in (0.0, 0.5, 1.0)])
    grid = image_grid(images, nrow=2, padding=2)
    assert grid.shape == (2 * 30 + 2, 2 * 30 + 2)
    assert grid[2:30, 32:60].min() == 0.5 and grid[32:60, 2:30].max() == 1.0
    assert grid[0, 0] == pytest.approx(0.15)


def test_image_grid_pads_a_lone_image_like_every_tile():
    grid = image_grid(torch.ones(1, 1, 28, 28), padding=2)
    assert grid.shape == (32, 32) and grid[0, 0] == pytest.approx(0.15) and grid[2:30, 2:30].min() == 1.0


def test_grid_png_is_the_figures_grid_with_ink_dark_on_white():
    from io import BytesIO

    from PIL import Image

    images = torch.rand(5, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    pixels = np.asarray(Image.open(BytesIO(grid_png(images, ncols=3, scale=1))))
    expected = np.round((1.0 - image_grid(images, nrow=3)) * 255.0)
    assert pixels.shape == expected.shape and np.array_equal(pixels, expected.astype(np.uint8))


def test_show_images_titles_the_figure_and_hides_axes():
    ax = vt.show_images(torch.rand(10, 1, 28, 28), nrow=5, title="Digits")
    assert ax.get_title() == "Digits" and not ax.axison
    plt.close("all")


def test_show_rows_writes_each_caption_under_the_centre_of_its_image():
    rows = [torch.zeros(3, 1, 28, 28), torch.ones(3, 1, 28, 28)]
    fig = vt.show_rows(rows, ["a", "b"], captions=[["0", "1", "2"], ["x", "y", "z"]])
    ax = fig.axes[1]
    grid = ax.get_images()[0].get_array()
    centres = [int(t) for t in ax.get_xticks()]
    plt.close(fig)
    # Each caption's x is the middle column of its tile: the tile's ink is there, not the padding's.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "z"]
    assert all(grid[16, c] == 1.0 and grid[16, c - 14] == 1.0 and grid[16, c + 13] == 1.0 for c in centres)
    assert centres == sorted(centres) and len(set(centres)) == 3


def test_show_rows_refuses_captions_that_do_not_match_the_images():
    with pytest.raises(ValueError, match=r"2 rows of 3 strings.*got rows of lengths \[3, 2\]"):
        vt.show_rows([torch.rand(3, 1, 28, 28)] * 2, ["a", "b"], captions=[["0", "1", "2"], ["x", "y"]])


def test_show_images_numbers_each_tile_in_its_own_corner_row_by_row():
    ax = vt.show_images(torch.rand(7, 1, 28, 28), nrow=4, numbered=True)
    labels = {t.get_text(): t.get_position() for t in ax.texts}
    assert sorted(labels, key=int) == [str(i) for i in range(1, 8)]
    # image_grid: tiles of 28 pixels, 2 pixels of padding, so tile (row r, col c) starts at 2 + 30 c, 2 + 30 r
    assert labels["1"] == (3, 3) and labels["4"] == (93, 3) and labels["6"] == (33, 33)
    assert not vt.show_images(torch.rand(3, 1, 28, 28)).texts
    plt.close("all")


def test_plot_history_draws_one_panel_per_term_train_solid_and_test_dashed():
    history = vt.History(loss=[3.0, 2.0], recon=[2.5, 1.5], kl=[0.5, 0.5], seconds=[1, 1],
                         test_loss=[3.1, 2.1], test_recon=[2.6, 1.6], test_kl=[0.5, 0.5])
    recon, kl = vt.plot_history(history, title="VAE").axes  # a VAE: reconstruction and KL by default
    assert recon.get_xlabel() == "epoch" and "nats" in recon.get_ylabel() and "KL" in kl.get_title()
    assert [line.get_linestyle() for line in recon.lines] == ["-", "--"]
    assert [t.get_text() for t in kl.get_legend().get_texts()] == ["train", "test"]
    loss, = vt.plot_history(history, terms=("loss",), test=False).axes
    assert np.array_equal(loss.lines[0].get_ydata(), [3.0, 2.0]) and len(loss.lines) == 1
    plt.close("all")


def test_plot_history_compares_models_one_colour_each():
    a = vt.History(loss=[3.0, 2.0], recon=[3.0, 2.0], kl=[0.0, 0.0], seconds=[1, 1])
    b = vt.History(loss=[4.0, 1.0], recon=[4.0, 1.0], kl=[0.0, 0.0], seconds=[1, 1])
    ax, = vt.plot_history({"a": a, "b": b}).axes  # no KL: the loss alone
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a, train", "b, train"]
    assert ax.lines[0].get_color() != ax.lines[1].get_color()
    with pytest.raises(ValueError, match="expected terms from"):
        vt.plot_history(a, terms=("elbo",))
    plt.close("all")


def test_plot_latent_scatter_has_one_legend_entry_per_class():
    codes, labels = torch.randn(100, 2), torch.arange(100) % 10
    ax = vt.plot_latent_scatter(codes, labels, title="Codes")
    entries = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(entries) == [str(d) for d in range(10)] + ["prior N(0, I): 1, 2 sd"]
    plt.close("all")


def test_plot_latent_scatter_refuses_codes_that_are_not_2d():
    with pytest.raises(ValueError, match=r"\(N, 2\); got \(5, 3\)"):
        vt.plot_latent_scatter(torch.randn(5, 3), torch.zeros(5))


def test_show_images_draws_a_numpy_batch_as_it_draws_the_same_tensor():
    images = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    from_tensor = vt.show_images(images, nrow=3).get_images()[0].get_array()
    from_numpy = vt.show_images(images.numpy().astype(np.float64), nrow=3).get_images()[0].get_array()
    plt.close("all")
    assert from_numpy.shape == (2 * 30 + 2, 3 * 30 + 2)
    assert np.array_equal(np.asarray(from_numpy), np.asarray(from_tensor))


@pytest.mark.parametrize("images, message", [
    (torch.zeros(0, 1, 28, 28), r"expected images as float images of shape \(N, 1, 28, 28\).*empty tensor"),
    (np.zeros((0, 784), dtype=np.float32), r"empty tensor of shape \(0, 784\)"),
    (np.full((2, 28, 28), 255, dtype=np.uint8), r"dtype uint8.*divide|x.float\(\) / 255"),
    (np.array([["a"]]), r"numeric numpy array.*got a numpy array of dtype <U1"),
    ([[0.5] * 784], r"got list"),
], ids=["empty tensor", "empty numpy", "uint8 numpy", "strings", "list"])
def test_show_images_refuses_what_it_cannot_draw_naming_it(images, message):
    with pytest.raises((TypeError, ValueError), match=message):
        vt.show_images(images)
    plt.close("all")


def test_show_rows_refuses_an_empty_row():
    with pytest.raises(ValueError, match="empty tensor"):
        vt.show_rows([torch.rand(3, 1, 28, 28), torch.zeros(0, 1, 28, 28)], ["a", "b"])
    plt.close("all")


def test_manifold_ticks_pass_through_the_middle_cell_at_zero_and_are_symmetric():
    ax = vt.show_manifold(vt.VAE(latent_dim=2, hidden_dims=(8,), seed=0), n=15)
    labels = [float(t.get_text().replace("\u2212", "-")) for t in ax.get_xticklabels()]
    assert 0.0 in labels  # Phi^-1(0.5) = 0 is the middle of 15 cells
    assert labels == [-v for v in reversed(labels)]
