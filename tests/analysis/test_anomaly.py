"""Anomaly scores and ROC: AUROC and the ROC curve against scikit-learn, the bootstrap against a loop,
the complexity correction against PNG sizes measured here, the scores against torch.distributions."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import torch
from PIL import Image
from sklearn.metrics import roc_auc_score
from sklearn.metrics import roc_curve as sk_roc_curve
from torch.distributions import Bernoulli, Normal

import vae_teach as vt
from vae_teach.analysis.anomaly import resample_indices


def _labelled(normal, anomalous):
    return np.r_[np.zeros(len(normal)), np.ones(len(anomalous))], np.r_[normal, anomalous]


CASES = {
    "continuous": (np.random.default_rng(0).normal(0, 1, 300), np.random.default_rng(1).normal(0.7, 1, 200)),
    "many ties": (np.random.default_rng(2).integers(0, 5, 300).astype(float),
                  np.random.default_rng(3).integers(1, 6, 100).astype(float)),
    "all tied": (np.ones(10), np.ones(7)),
    "separated": (np.arange(5.0), np.arange(5.0) + 10),
    "reversed": (np.arange(5.0) + 10, np.arange(5.0)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_auroc_is_sklearns(case):
    normal, anomalous = CASES[case]
    assert vt.auroc(normal, anomalous) == pytest.approx(roc_auc_score(*_labelled(normal, anomalous)), abs=1e-12)


@pytest.mark.parametrize("case", list(CASES))
def test_roc_curve_is_sklearns(case):
    normal, anomalous = CASES[case]
    fpr, tpr, thresholds = vt.roc_curve(torch.as_tensor(normal), anomalous)
    sk_fpr, sk_tpr, sk_thresholds = sk_roc_curve(*_labelled(normal, anomalous), drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    np.testing.assert_allclose(thresholds[1:], sk_thresholds[1:])


def test_bootstrap_aurocs_are_sklearns_on_the_same_resamples():
    normal, anomalous = CASES["many ties"]
    got = vt.bootstrap_aurocs(normal, anomalous, n_boot=40, seed=5)
    i0, i1 = resample_indices(len(normal), len(anomalous), 40, 5)
    expected = [roc_auc_score(*_labelled(normal[a], anomalous[b])) for a, b in zip(i0, i1)]
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_interval_holds_the_value_and_narrows_with_more_data():
    rng = np.random.default_rng(0)
    small = vt.auroc_interval(rng.normal(0, 1, 100), rng.normal(1, 1, 100), n_boot=500)
    large = vt.auroc_interval(rng.normal(0, 1, 3000), rng.normal(1, 1, 3000), n_boot=500)
    assert small.low < small.value < small.high and large.low < large.value < large.high
    assert large.high - large.low < 0.5 * (small.high - small.low)
    # Width against Hanley and McNeil's (1982) standard error of an AUROC, a formula of its own
    a, n = large.value, 3000
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se = math.sqrt((a * (1 - a) + (n - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (n * n))
    assert large.high - large.low == pytest.approx(2 * 1.96 * se, rel=0.2)


@pytest.mark.parametrize("bad, message", [
    (np.array([]), "non-empty 1-D"), (np.zeros((2, 2)), "non-empty 1-D"),
    (np.array([0.0, np.nan]), "NaN or infinite"),
])
def test_bad_scores_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        vt.auroc(bad, np.ones(3))
    with pytest.raises(ValueError, match=message):
        vt.auroc(np.ones(3), bad)
    with pytest.raises(ValueError, match="level"):
        vt.auroc_interval(np.ones(3), np.zeros(3), level=95)


def test_complexity_correction_subtracts_the_png_length_in_nats():
    images = vt.load_mnist().test_x[:5]
    images = torch.cat([images, torch.zeros(1, 1, 28, 28)])
    sizes = []
    for image in images[:, 0]:
        buffer = io.BytesIO()
        Image.fromarray((image.numpy() * 255).round().astype(np.uint8)).save(buffer, format="PNG", optimize=True)
        sizes.append(len(buffer.getvalue()))
    nll = torch.arange(6, dtype=torch.float64) * 10
    expected = nll - torch.tensor(sizes, dtype=torch.float64) * 8 * math.log(2)
    assert torch.allclose(vt.complexity_corrected(nll, images), expected)
    assert sizes[-1] < min(sizes[:-1])  # a blank image compresses best
    with pytest.raises(ValueError, match="one score per image"):
        vt.complexity_corrected(nll[:3], images)


@pytest.fixture(scope="module")
def vae_and_images():
    return vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0), vt.load_mnist().test_x[:4]


def test_negative_elbo_scores_match_a_monte_carlo_estimate(vae_and_images):
    vae, x = vae_and_images
    with torch.no_grad():
        mu, logvar = vae.encode(x)
        q = Normal(mu, (0.5 * logvar).exp())
        z = q.sample((3000,))
        log_lik = Bernoulli(logits=vae.decode_logits(z.reshape(-1, 2)), validate_args=False).log_prob(
            x.repeat(3000, 1, 1, 1)).flatten(1).sum(1).reshape(3000, -1)
        terms = log_lik + Normal(0.0, 1.0).log_prob(z).sum(-1) - q.log_prob(z).sum(-1)
    got = vt.negative_elbo_scores(vae, x, n_samples=3000)
    assert got.shape == (4,)
    stderr = terms.std(0) / math.sqrt(3000)
    assert torch.all((got + terms.mean(0).double()).abs() < 5 * stderr + 1e-3)


def test_iwae_scores_are_below_elbo_scores(vae_and_images):
    vae, x = vae_and_images
    assert float(vt.negative_iwae_scores(vae, x, k=200).mean()) < float(vt.negative_elbo_scores(vae, x).mean())


def test_reconstruction_scores_of_a_known_autoencoder():
    ae = vt.Autoencoder(latent_dim=784, hidden_dims=(), likelihood="gaussian")
    with torch.no_grad():
        ae.encoder[0].weight.copy_(torch.eye(784))
        ae.encoder[0].bias.zero_()
        ae.decoder[0].weight.copy_(torch.eye(784))
        ae.decoder[0].bias.fill_(0.1)
    x = vt.load_mnist().test_x[:3]
    expected = ((x + 0.1).clamp(max=1.0) - x).pow(2).flatten(1).sum(1).double()
    assert torch.allclose(vt.reconstruction_scores(ae, x), expected, atol=1e-4)


def test_elbo_scores_need_a_variational_model():
    with pytest.raises(TypeError, match="needs a VAE"):
        vt.negative_elbo_scores(vt.Autoencoder(latent_dim=2), torch.zeros(1, 1, 28, 28))
