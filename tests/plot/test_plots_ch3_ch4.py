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


def test_posteriors_one_column_per_image_named_and_on_one_scale(vae2):
    x = vt.load_mnist().test_x[:2]
    grid = log_marginal_grid(vae2, x, grid_size=40, zoom=30)
    with torch.no_grad():
        mu, logvar = vae2.encode(x)
    fig = plots_vae.plot_posteriors(grid, mu, logvar, x, names=["#0 (7)", "#1 (2)"])
    images, planes = fig.axes[:2], fig.axes[2:]  # row 1: the images; row 2: the planes
    assert len(fig.axes) == 4 and planes[1].get_xlabel() == "$z_1$"
    assert [ax.get_title() for ax in images] == ["#0 (7)", "#1 (2)"]
    widths = [abs(b - a) for ax in planes for a, b in (ax.get_xlim(), ax.get_ylim())]
    assert max(widths) - min(widths) < 1e-9, f"panels on different scales: {widths}"
    assert sorted(t.get_text() for t in fig.legends[0].get_texts()) == ["q(z|x): 1 sigma", "q(z|x): 2 sigma"]


def test_posteriors_refuse_a_name_per_image_missing(vae2):
    x = vt.load_mnist().test_x[:2]
    grid = log_marginal_grid(vae2, x, grid_size=20, zoom=None)
    with pytest.raises(ValueError, match="expected 2 names"):
        plots_vae.plot_posteriors(grid, torch.zeros(2, 2), torch.zeros(2, 2), x, names=["a"])


def test_bound_gaps_name_the_images_and_draw_error_bars():
    bounds = torch.tensor([[-10.0, -5.0], [-9.0, -4.5]], dtype=torch.float64)
    se = torch.full((2, 2), 0.1, dtype=torch.float64)
    ax = plots_vae.plot_bound_gaps([1, 10], bounds, torch.tensor([-8.0, -4.0], dtype=torch.float64),
                                   names=["#3 (4)", "#5 (1)"], se=se)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "#3 (4)" in texts and "#5 (1)" in texts and len(ax.containers) == 2


def test_vae_diagram_text_is_large_enough_to_read():
    image = vt.load_mnist().test_x[0]
    fig = vt.draw_vae_diagram(image, image, latent_dim=2, hidden_dims=(400,))
    texts = [t for t in fig.axes[0].texts if t.get_text().strip()]
    assert {"mu", "logvar"} <= {t.get_text() for t in texts}
    # The old SVG's labels rendered at about 8 px; 11 pt on a 10-inch figure stays readable in the column.
    assert min(t.get_fontsize() for t in texts) >= 11
    assert "latent size 2" in fig.axes[0].get_title()


def test_recon_kl_and_latent_maps_and_grids_and_manifold(vae2):
    h = vt.History(loss=[3.0, 2.0], recon=[2.0, 1.5], kl=[1.0, 0.5], seconds=[0.1, 0.1])
    assert len(plots_vae.plot_history({"a": h, "b": h}).axes) == 2
    labels = torch.arange(10).repeat(3)
    assert len(plots_vae.plot_latent_maps({"x": torch.randn(30, 2), "y": torch.randn(30, 2)}, labels).axes) == 2
    images = torch.rand(4, 1, 28, 28)
    assert len(plots_vae.show_image_grids([(images, "a"), (images, "b")], nrow=2).axes) == 2
    assert "quantile" in plots_vae.show_manifold(vae2, n=3).get_xlabel()

