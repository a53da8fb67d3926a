"""Figures of anomaly detection: panels, curves and legends hold what they claim."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

import vae_teach as vt  # noqa: E402


def test_roc_curves_one_panel_per_kind_with_sklearns_aurocs_in_the_legend():
    rng = np.random.default_rng(0)
    normal = {"a": rng.normal(0, 1, 50), "b": rng.normal(0, 1, 50)}
    anomalous = {kind: {"a": rng.normal(shift, 1, 30), "b": rng.normal(-shift, 1, 30)}
                 for kind, shift in (("one", 1.0), ("two", 2.0), ("three", 0.5), ("four", 3.0))}
    fig = vt.plot_roc_curves(normal, anomalous, title="T", ncols=3)
    used = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in used] == list(anomalous) and len(fig.axes) == 6
    for ax, (kind, by_score) in zip(used, anomalous.items()):
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        for label, (score, values) in zip(labels, by_score.items()):
            truth = np.r_[np.zeros(50), np.ones(30)]
            assert label == f"{score}: {roc_auc_score(truth, np.r_[normal[score], values]):.2f}"
        assert ax.get_xlabel() == "false positive rate" and ax.get_ylabel() == "true positive rate"
    plt.close(fig)


def test_score_histograms_draw_each_group_and_each_mark():
    ax = vt.plot_score_histograms({"normal": np.arange(10.0), "odd": np.arange(5.0) + 20},
                                  marks={"blank": -3.0}, xlabel="-ELBO (nats)", title="T")
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"blank", "normal", "odd"}
    assert ax.lines[0].get_xdata()[0] == -3.0 and ax.get_xlim()[0] <= -3.0
    assert ax.get_xlabel() == "-ELBO (nats)" and ax.get_ylabel() == "density"
    plt.close(ax.figure)
