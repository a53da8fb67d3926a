"""The measurements of chapter 7's tables, against direct computations."""

import pytest
import torch

import vae_teach as vt


class ConstantJudge:
    """A stand-in digit classifier: every image is a '3' with probability 0.95."""

    def probabilities(self, images):
        p = torch.full((images.shape[0], 10), 0.05 / 9)
        p[:, 3] = 0.95
        return p

    def predict(self, images):
        return torch.full((images.shape[0],), 3)


@pytest.fixture(scope="module")
def vae_and_x():
    return vt.VAE(latent_dim=3, hidden_dims=(16,), seed=0), torch.rand(40, 1, 28, 28,
                                                                      generator=torch.Generator().manual_seed(0))


def test_vae_report_against_direct_computations(vae_and_x):
    vae, x = vae_and_x
    report = vt.vae_report(vae, x, ConstantJudge(), n_samples=20)
    with torch.no_grad():
        mu, logvar = vae.encode(x)
        kl = torch.distributions.kl_divergence(torch.distributions.Normal(mu, (0.5 * logvar).exp()),
                                               torch.distributions.Normal(0.0, 1.0)).sum(1).mean()
        squared = ((torch.sigmoid(vae.decode_logits(mu)) - x) ** 2).sum((1, 2, 3)).mean()
    assert report["KL"] == pytest.approx(float(kl), rel=1e-5)
    assert report["squared error"] == pytest.approx(float(squared), rel=1e-5)
    assert report["test ELBO"] == pytest.approx(vt.elbo(vae, x))
    assert report["active units"] == vt.active_units(vae, x)
    assert report["digit-like"] == 1.0 and report["top class"] == 1.0


def test_sampled_reconstructions_differ_between_calls_and_the_mean_does_not(vae_and_x):
    vae, x = vae_and_x
    labels = torch.full((40,), 3)
    out = vt.sampled_reconstructions(vae, x, ConstantJudge(), labels)
    assert out["mean"] == out["sampled z"] == out["sampled pixels"] == 1.0
    assert out["changes between calls"] > 0.0


def test_prior_samples_repeat_with_the_seed(vae_and_x):
    vae, _ = vae_and_x
    assert torch.equal(vt.prior_samples(vae, 5, seed=1), vt.prior_samples(vae, 5, seed=1))
    assert vt.prior_samples(vae, 5).shape == (5, 1, 28, 28)


def test_kl_grid_has_a_numbered_panel_per_model():
    fig = vt.plot_kl_per_dimension_grid({"a": torch.rand(4), "b": torch.rand(4)}, threshold=0.5)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["(1) a", "(2) b"]
    with pytest.raises(ValueError, match="at least one"):
        vt.plot_kl_per_dimension_grid({})
