"""KL annealing in fit: the weight each optimizer step gives the KL term."""

import pytest
import torch

import vae_teach as vt
from vae_teach.training.fit import kl_weight


class RecordingVAE(vt.VAE):
    """A VAE that writes down the KL weight of every training step."""

    def loss_parts(self, x, y=None, *, beta=1.0, generator=None, x_input=None):
        if self.training:
            self.seen.append(beta)
        return super().loss_parts(x, y, beta=beta, generator=generator, x_input=x_input)


def _recording_fit(**kwargs):
    model = RecordingVAE(latent_dim=2, hidden_dims=(8,), seed=0)
    model.seen = []
    x = torch.rand(100, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    history = vt.fit(model, x, epochs=3, batch_size=25, progress=False, **kwargs)
    return model.seen, history


def test_the_kl_weight_rises_linearly_over_the_warmup_epochs_then_stays_at_beta():
    seen, history = _recording_fit(beta=2.0, kl_warmup_epochs=2)
    # 100 images in batches of 25: 4 steps per epoch, 8 steps of annealing, then 4 at beta.
    assert seen == pytest.approx([2.0 * k / 8 for k in range(1, 9)] + [2.0] * 4)
    assert history.loss[0] < history.recon[0] + 2.0 * history.kl[0]  # the first epoch's KL weighed less
    assert history.loss[2] == pytest.approx(history.recon[2] + 2.0 * history.kl[2], rel=1e-6)


def test_no_annealing_by_default():
    seen, _ = _recording_fit(beta=0.5)
    assert seen == [0.5] * 12


def test_kl_weight_function_and_the_argument_check():
    assert [kl_weight(s, 4, 1.0) for s in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert kl_weight(0, 0, 3.0) == 3.0
    with pytest.raises(ValueError, match="kl_warmup_epochs"):
        vt.fit(vt.VAE(latent_dim=2, hidden_dims=(8,)), torch.rand(10, 1, 28, 28), epochs=1, kl_warmup_epochs=-1)
