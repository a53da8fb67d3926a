"""The bug gallery's model and the autoregressive VAE: their losses against hand-written ones."""

import pytest
import torch
import torch.nn.functional as F

import vae_teach as vt
from vae_teach.distributions import gaussian_kl


@pytest.fixture(scope="module")
def x():
    return torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(0))


def _noise(seed, shape):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def test_every_bug_starts_from_the_plain_vaes_weights():
    plain = vt.VAE(latent_dim=5, hidden_dims=(16,), seed=3).state_dict()
    for bug in vt.BUGS:
        buggy = vt.BuggyVAE(latent_dim=5, hidden_dims=(16,), bug=bug, seed=3).state_dict()
        assert buggy.keys() == plain.keys()
        assert all(torch.equal(buggy[k], plain[k]) for k in plain)


@pytest.mark.parametrize("bug", list(vt.BUGS))
def test_buggy_loss_matches_the_line_written_by_hand(bug, x):
    model = vt.BuggyVAE(latent_dim=5, hidden_dims=(16,), bug=bug, seed=0)
    with torch.no_grad():
        parts = model.loss_parts(x, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        mu, logvar = model.encode(x)
        eps = _noise(7, mu.shape)
        std = logvar if bug == "logvar_as_std" else torch.exp(0.5 * logvar)
        out = model.decoder(mu + std * eps)
        out = torch.sigmoid(out) if bug == "double_sigmoid" else out
        bce = F.binary_cross_entropy_with_logits(out, x.flatten(1), reduction="none")
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)
        batch_loss = {  # the buggy batch loss, as the bug's author wrote it
            "kl_mean_over_dims": bce.sum(1).mean() + kl.mean(1).mean(),
            "recon_mean_over_pixels": F.binary_cross_entropy(torch.sigmoid(out), x.flatten(1)) + kl.sum(1).mean(),
            "logvar_as_std": bce.sum(1).mean() + kl.sum(1).mean(),
            "double_sigmoid": bce.sum(1).mean() + kl.sum(1).mean(),
            "batch_kl_sum": bce.sum(1).mean() + kl.sum(),
        }[bug]
    assert float(parts.loss.mean()) == pytest.approx(float(batch_loss), rel=1e-5)
    assert torch.allclose(parts.recon, bce.sum(1), rtol=1e-5)
    assert torch.allclose(parts.kl, gaussian_kl(mu, logvar), rtol=1e-5)


def test_double_sigmoid_decodes_within_sigmoid_0_and_sigmoid_1():
    model = vt.BuggyVAE(latent_dim=3, hidden_dims=(8,), bug="double_sigmoid", seed=0)
    with torch.no_grad():
        images = model.decode(10 * torch.randn(50, 3))
    assert float(images.min()) >= 0.5 and float(images.max()) <= float(torch.sigmoid(torch.tensor(1.0))) + 1e-6


def test_unknown_bug_names_the_bugs():
    with pytest.raises(ValueError, match="kl_mean_over_dims"):
        vt.BuggyVAE(bug="off_by_one")


def test_buggy_and_autoregressive_models_rebuild_from_their_config():
    for model in (vt.BuggyVAE(latent_dim=3, hidden_dims=(8,), bug="batch_kl_sum"),
                  vt.PixelARVAE(latent_dim=3, hidden_dims=(8,), free_bits=0.5)):
        assert vt.build_model(model.config()).config() == model.config()


def _randomised(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.readout.copy_(torch.randn(model.channels, generator=g))
        model.context_bias.copy_(0.1 * torch.randn(model.channels, generator=g))
    return model


def test_causal_mask_covers_the_rows_above_and_the_pixels_to_the_left():
    from vae_teach.models.autoregressive import causal_mask
    assert causal_mask(3).tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]


def test_autoregressive_likelihood_sees_only_earlier_pixels(x):
    model = _randomised(vt.PixelARVAE(latent_dim=3, hidden_dims=(8,), seed=0), 1)
    for i in (0, 400, 783):
        changed = x[:1].clone()
        changed.view(-1)[i] = 1.0 - changed.view(-1)[i]
        with torch.no_grad():
            difference = (model.context_logits(changed) - model.context_logits(x[:1])).abs().flatten()
        assert float(difference[:i + 1].max()) == 0.0  # pixel i and those before it never see pixel i
        if i < 783:
            assert float(difference[i + 1:].max()) > 0.0


def test_autoregressive_likelihood_is_bernoulli_on_the_summed_logits(x):
    model = _randomised(vt.PixelARVAE(latent_dim=3, hidden_dims=(8,), seed=0), 2)
    out = torch.randn(2, 1, 28, 28)
    with torch.no_grad():
        hidden = F.relu(F.conv2d(x[:2], model.context * model.mask, model.context_bias, padding=2))
        logits = out.flatten(1) + (hidden * model.readout[None, :, None, None]).sum(1).flatten(1)
        manual = -F.binary_cross_entropy_with_logits(logits, x[:2].flatten(1), reduction="none").sum(1)
        assert torch.allclose(model.log_likelihood(out, x[:2]), manual, rtol=1e-5)


def test_autoregressive_decode_feeds_each_pixels_probability_forward():
    model = _randomised(vt.PixelARVAE(latent_dim=2, hidden_dims=(8,), seed=0), 3)
    z = torch.randn(3, 2)
    images = model.decode(z)
    with torch.no_grad():
        base = model.decode_logits(z).flatten(1)
        # The pass is a fixed point: each pixel is sigmoid(f(z) + g(the decoded earlier pixels)).
        assert torch.allclose(images.flatten(1), torch.sigmoid(base + model.context_logits(images)), atol=1e-5)


def test_autoregressive_vae_refuses_an_even_kernel():
    with pytest.raises(ValueError, match="odd"):
        vt.PixelARVAE(kernel=4)


def test_free_bits_changes_the_loss_not_the_reported_kl(x):
    plain = vt.PixelARVAE(latent_dim=4, hidden_dims=(8,), seed=0)
    floored = vt.PixelARVAE(latent_dim=4, hidden_dims=(8,), free_bits=5.0, seed=0)
    with torch.no_grad():
        a = plain.loss_parts(x, generator=torch.Generator().manual_seed(0))
        b = floored.loss_parts(x, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(a.kl, b.kl) and torch.allclose(a.recon, b.recon)
    assert float(b.loss.mean()) == pytest.approx(float(a.recon.mean()) + 4 * 5.0, rel=1e-5)  # every KL < 5 nats
