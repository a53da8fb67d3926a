import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import vae_teach as vt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_diagram_draws_both_images_and_is_titled():
    image = torch.rand(1, 28, 28)
    fig = vt.draw_autoencoder_diagram(image, image, latent_dim=32, hidden_dims=(256,))
    ax = fig.axes[0]
    assert len(ax.images) == 2 and "autoencoder" in ax.get_title().lower()
    assert any("32 numbers" in t.get_text() for t in ax.texts)


def test_error_vs_k_plots_one_line_per_method_on_a_log2_axis():
    errors = {"AE": {2: 30.0, 4: 20.0}, "PCA": {2: 40.0, 4: 30.0}}
    ax = vt.plot_error_vs_k((2, 4), errors)
    assert len(ax.lines) == 2 and ax.get_xscale() == "log" and ax.get_ylabel()


def test_latent_maps_has_one_titled_panel_per_map_and_one_legend():
    codes, labels = torch.randn(50, 2), torch.arange(50) % 10
    fig = vt.plot_latent_maps({"AE": codes, "PCA": 2 * codes}, labels, title="Maps")
    assert [ax.get_title() for ax in fig.axes] == ["AE", "PCA"] and fig.get_suptitle() == "Maps"
    assert sum(ax.get_legend() is not None for ax in fig.axes) == 1
    with pytest.raises(ValueError, match="at least one map"):
        vt.plot_latent_maps({}, labels)


def test_compression_plot_draws_reference_lines():
    rows = [{"method": "AE", "k": 2, "bytes": 4, "error": 30.0}, {"method": "AE", "k": 8, "bytes": 16, "error": 20.0}]
    ax = vt.plot_compression(rows, raw_bytes=784, png_bytes=270)
    assert len(ax.lines) == 3 and ax.get_title()


def test_training_curve_and_angles_are_labelled():
    history = vt.History(loss=[3.0, 2.0], recon=[3.0, 2.0], kl=[0, 0], seconds=[0, 0],
                         test_loss=[3.5, 2.5], test_recon=[3.5, 2.5], test_kl=[0, 0])
    ax, = vt.plot_history(history, ylabel="squared error per image", title="AE").axes
    assert len(ax.lines) == 2 and "squared error" in ax.get_ylabel() and ax.get_title() == "AE"
    ax = vt.plot_principal_angles({"trained": torch.tensor([0.1, 0.5]), "random": torch.tensor([80.0, 89.0])})
    assert len(ax.lines) == 2 and "degrees" in ax.get_ylabel()


def test_codes_and_random_overlays_crosses():
    ax = vt.plot_codes_and_random(torch.randn(40, 2), torch.arange(40) % 10, torch.randn(5, 2))
    assert len(ax.collections) == 11  # ten digits and the random codes


def test_image_and_vector_shows_the_784_values_in_row_order():
    image = torch.zeros(1, 28, 28)
    image[0, 2, 5] = 1.0
    fig = vt.show_image_and_vector(image, label=7)
    line = fig.axes[1].lines[0]
    assert len(line.get_xdata()) == 784 and line.get_ydata()[2 * 28 + 5] == 1.0
    assert "label 7" in fig.axes[0].get_title()


def test_per_class_bars_refuse_mismatched_names():
    ax = vt.plot_per_class(torch.arange(10.0), ylabel="share", title="t")
    assert len(ax.patches) == 10
    with pytest.raises(ValueError, match="one class name per value"):
        vt.plot_per_class(torch.arange(3.0), ylabel="share", title="t", class_names=["a"])


def test_error_vs_k_draws_each_baseline_as_a_horizontal_line_at_its_value():
    errors = {"AE": {2: 30.0, 4: 20.0}}
    ax = vt.plot_error_vs_k((2, 4), errors, baselines={"mean image": 52.5})
    horizontal = [line for line in ax.lines if list(line.get_ydata()) == [52.5, 52.5]]
    assert len(horizontal) == 1 and horizontal[0].get_label() == "mean image"


def test_error_vs_k_draws_one_dot_per_other_seed_in_the_methods_colour():
    errors = {"AE": {2: 30.0, 4: 20.0}, "PCA": {2: 40.0, 4: 30.0}}
    ax = vt.plot_error_vs_k((2, 4), errors, seeds={"AE": {4: [21.0, 19.5]}})
    dots = [line for line in ax.lines if line.get_linestyle() == "None"]
    assert len(dots) == 1 and list(dots[0].get_ydata()) == [21.0, 19.5]
    assert all(x > 4 for x in dots[0].get_xdata())  # beside the line's own marker at k = 4, not under it
    assert dots[0].get_color() == ax.lines[0].get_color()
    with pytest.raises(ValueError, match="one of the methods"):
        vt.plot_error_vs_k((2, 4), errors, seeds={"VAE": {4: [1.0]}})


def test_compression_labels_of_two_methods_at_the_same_point_do_not_overlap():
    # As in chapter 2: far apart at k = 2, nearly equal at k = 64 on an axis that spans both.
    rows = [{"method": "AE", "k": 2, "bytes": 4, "error": 38.0}, {"method": "AE", "k": 64, "bytes": 128, "error": 6.5},
            {"method": "PCA", "k": 2, "bytes": 4, "error": 44.0}, {"method": "PCA", "k": 64, "bytes": 128, "error": 6.3}]
    ax = vt.plot_compression(rows, raw_bytes=784)
    ax.figure.canvas.draw()
    boxes = [text.get_window_extent() for text in ax.texts if text.get_text() == "k=64"]
    assert len(boxes) == 2 and not boxes[0].overlaps(boxes[1])


def test_no_two_compression_labels_overlap_where_the_curves_come_close():
    # Chapter 2's shape: PCA above the autoencoder everywhere, 2.7 apart at k = 32, crossing near k = 64.
    ae = [34.6, 26.4, 18.7, 13.2, 9.5, 6.5]
    pca = [43.2, 37.0, 28.4, 19.9, 12.2, 6.2]
    ks = [2, 4, 8, 16, 32, 64]
    rows = ([{"method": "autoencoder", "k": k, "bytes": 2 * k, "error": e} for k, e in zip(ks, ae)]
            + [{"method": "PCA", "k": k, "bytes": 2 * k, "error": e} for k, e in zip(ks, pca)])
    ax = vt.plot_compression(rows, raw_bytes=784, png_bytes=275)
    ax.figure.canvas.draw()
    boxes = [(text.get_text(), text.get_window_extent()) for text in ax.texts]
    clashes = [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]
    assert len(boxes) == 12 and not clashes, clashes
    frame = ax.get_window_extent()
    outside = [text for text, box in boxes if box.y0 < frame.y0 or box.y1 > frame.y1]
    assert not outside, f"labels cut by the axes' frame: {outside}"


def test_compression_labels_at_equal_errors_go_to_opposite_sides():
    rows = [{"method": "AE", "k": 8, "bytes": 16, "error": 20.0}, {"method": "PCA", "k": 8, "bytes": 16, "error": 20.0}]
    ax = vt.plot_compression(rows, raw_bytes=784)
    ax.figure.canvas.draw()
    first, second = (text.get_window_extent() for text in ax.texts)
    assert not first.overlaps(second)
