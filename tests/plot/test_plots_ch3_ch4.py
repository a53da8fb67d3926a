"""Chapter 3-4 figures draw from small inputs, with titles and labelled axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import vae_teach as vt  # noqa: E402
import vae_teach as plots_vae  # noqa: E402
from vae_teach.analysis.estimators import GradientVariance  # noqa: E402
from vae_teach.analysis.marginal import log_marginal_grid  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def vae2():
    return vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0)


def test_code_holes_has_two_labelled_panels(vae2):
    fig = plots_vae.plot_code_holes(torch.randn(200, 2), vae2, -3.0, 3.0, n=4)
    left, right = [ax for ax in fig.axes if ax.get_title()]
    assert left.get_xlabel() == right.get_xlabel() == "$z_1$"
    assert "codes" in left.get_title() and "decoded" in right.get_title()


def test_kl_convergence_marks_the_closed_form():
    ax = plots_vae.plot_kl_convergence([1, 10], torch.randn(2, 5), exact=1.5)
    assert ax.get_xscale() == "log" and any("1.500" in t.get_text() for t in ax.get_legend().get_texts())


def test_gradient_variance_is_log_log_with_both_estimators():
    ax = plots_vae.plot_gradient_variance(GradientVariance([1, 10], [10.0, 1.0], [1.0, 0.1], 5))
    assert ax.get_xscale() == ax.get_yscale() == "log" and len(ax.get_lines()) == 2


def test_bound_gaps_clip_negative_noise_instead_of_dropping_points():
    bounds = torch.tensor([[-10.0, -5.0], [-9.0, -4.99]], dtype=torch.float64)
    ax = plots_vae.plot_bound_gaps([1, 10], bounds, torch.tensor([-8.0, -5.01], dtype=torch.float64))
    ys = [y for line in ax.get_lines() for y in line.get_ydata()]
    assert min(ys) > 0


def test_posteriors_one_column_per_image(vae2):
    x = vt.load_mnist().test_x[:2]
    grid = log_marginal_grid(vae2, x, grid_size=40, zoom=30)
    with torch.no_grad():
        mu, logvar = vae2.encode(x)
    fig = plots_vae.plot_posteriors(grid, mu, logvar, x)
    assert len(fig.axes) == 4 and fig.axes[2].get_xlabel() == "$z_1$"


def test_recon_kl_and_latent_maps_and_grids_and_manifold(vae2):
    h = vt.History(loss=[3.0, 2.0], recon=[2.0, 1.5], kl=[1.0, 0.5], seconds=[0.1, 0.1])
    assert len(plots_vae.plot_history({"a": h, "b": h}).axes) == 2
    labels = torch.arange(10).repeat(3)
    assert len(plots_vae.plot_latent_maps({"x": torch.randn(30, 2), "y": torch.randn(30, 2)}, labels).axes) == 2
    images = torch.rand(4, 1, 28, 28)
    assert len(plots_vae.show_image_grids([(images, "a"), (images, "b")], nrow=2).axes) == 2
    assert "quantile" in plots_vae.show_manifold(vae2, n=3).get_xlabel()

