"""The model interface: training, evaluation and the bounds ask the model, never its class."""

import math

import pytest
import torch
from torch import nn

import vae_teach as vt
from vae_teach.models.base import ImageModel, LossParts, register


@pytest.fixture(scope="module")
def images():
    return vt.load_mnist().train_x[:256]


def test_a_compiled_vae_trains_with_its_kl_term_like_the_plain_one(images):
    # Oracle: the same VAE, same seed, trained uncompiled. A compiled module used to be
    # trained as an autoencoder (kl = 0) because fit branched on isinstance(model, VAE).
    plain = vt.VAE(latent_dim=2, hidden_dims=(32,), seed=0)
    compiled_source = vt.VAE(latent_dim=2, hidden_dims=(32,), seed=0)
    expected = vt.fit(plain, images, epochs=2, batch_size=64, seed=0, progress=False)
    got = vt.fit(torch.compile(compiled_source, backend="eager"), images, epochs=2, batch_size=64, seed=0,
                 progress=False)
    assert min(got.kl) > 0.0
    assert got.kl == pytest.approx(expected.kl, rel=1e-4)
    assert got.loss == pytest.approx(expected.loss, rel=1e-4)


def test_the_bounds_accept_a_compiled_vae():
    vae = vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0)
    x = torch.rand(8, 1, 28, 28)
    compiled = torch.compile(vae, backend="eager")
    assert vt.elbo(compiled, x, seed=3) == pytest.approx(vt.elbo(vae, x, seed=3))
    assert vt.iwae(compiled, x, k=5, seed=3) == pytest.approx(vt.iwae(vae, x, k=5, seed=3))


def test_loss_parts_asks_the_model():
    vae = vt.VAE(latent_dim=3, hidden_dims=(16,), seed=0)
    x = torch.rand(5, 1, 28, 28)
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    via_function = vt.loss_parts(vae, x, beta=0.5, generator=g1)
    via_model = vae.loss_parts(x, beta=0.5, generator=g2)
    assert isinstance(via_model, LossParts)
    for a, b in zip(via_function, via_model):
        assert torch.equal(a, b)
    assert torch.allclose(via_model.loss, via_model.recon + 0.5 * via_model.kl)


def test_codes_are_the_autoencoders_z_and_the_vaes_posterior_mean():
    x = torch.rand(4, 1, 28, 28)
    ae, vae = vt.Autoencoder(latent_dim=2, hidden_dims=(8,)), vt.VAE(latent_dim=2, hidden_dims=(8,))
    assert torch.equal(ae.codes(x), ae.encoder(x.flatten(1)))
    assert torch.equal(vae.codes(x), vae.encode(x)[0])
    assert torch.equal(vt.encode_dataset(vae, x), vae.encode(x)[0])


@pytest.mark.parametrize("make", [lambda: vt.VAE(latent_dim=2, hidden_dims=(8,)),
                                  lambda: vt.Autoencoder(latent_dim=2, hidden_dims=(8,))])
def test_an_unconditional_model_refuses_labels(make):
    model = make()
    x, y = torch.rand(4, 1, 28, 28), torch.arange(4)
    with pytest.raises(ValueError, match="takes no labels"):
        vt.fit(model, x, epochs=1, y=y, progress=False)
    with pytest.raises(ValueError, match="takes no labels"):
        model.decode(torch.zeros(4, 2), y)


def test_an_autoencoder_has_no_posterior():
    with pytest.raises(TypeError, match="not a variational model"):
        vt.Autoencoder(latent_dim=2, hidden_dims=(8,)).posterior(torch.rand(3, 784))


class _LabelShift(ImageModel):
    """A tiny conditional VAE for the tests: the label adds a learned offset to the code.

    q(z|x, y) = N(enc(x) + e[y], exp(logvar)); p(x|z, y) = Bernoulli(dec(z + e[y])).
    """

    is_variational = True
    takes_labels = True

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.latent_dim, self.likelihood, self.pixel_likelihood = 2, "bernoulli", vt.Bernoulli()

        def build() -> None:
            self.encoder = nn.Linear(784, 4)
            self.embed = nn.Embedding(10, 2)
            self.decoder = nn.Linear(2, 784)

        self._init_seeded(seed, build)

    def config(self):
        return {"class": "_LabelShift", "seed": 0}

    def posterior(self, x_flat, y=None):
        h = self.encoder(x_flat)
        return h[:, :2] + self.embed(y), h[:, 2:]

    def decode_logits(self, z, y=None):
        return self.decoder(z + self.embed(y)).reshape(-1, 1, 28, 28)

    def codes_flat(self, x_flat, y=None):
        return self.posterior(x_flat, y)[0]

    def loss_parts(self, x, y=None, *, beta=1.0, generator=None, x_input=None):
        mu, logvar = self.posterior((x if x_input is None else x_input).flatten(1), y)
        z = vt.reparameterize(mu, logvar, generator)
        recon = -self.log_likelihood(self.decode_logits(z, y), x)
        kl = vt.gaussian_kl(mu, logvar)
        return LossParts(recon + beta * kl, recon, kl)


def test_labels_travel_through_fit_evaluate_and_the_bounds(tmp_path):
    register(_LabelShift)
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(64, 1, 28, 28, generator=g), torch.randint(0, 10, (64,), generator=g)
    model = _LabelShift()
    history = vt.fit(model, x, epochs=2, batch_size=16, y=y, test_x=x[:16], test_y=y[:16], progress=False)
    assert history.epochs == 2 and len(history.test_loss) == 2
    # Oracle for the ELBO: log p(x|z, y) + log p(z) - log q(z|x, y) at z = mu + sigma * eps, written out here.
    with torch.no_grad():
        mu, logvar = model.posterior(x.flatten(1), y)
        eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(5))
        z = mu + (0.5 * logvar).exp() * eps
        p = torch.sigmoid(model.decoder(z + model.embed(y)))
        log_lik = (x.flatten(1) * p.log() + (1 - x.flatten(1)) * (1 - p).log()).sum(1)
        log_prior = torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(1)
        log_q = torch.distributions.Normal(mu, (0.5 * logvar).exp()).log_prob(z).sum(1)
        expected = (log_lik + log_prior - log_q).mean()
    # k = 1 with the same noise is the ELBO's one-sample estimate
    got = vt.iwae(model, x, k=1, batch_size=64, seed=5, y=y)
    assert got == pytest.approx(float(expected), abs=1e-3)
    assert math.isfinite(vt.elbo(model, x, y=y)) and math.isfinite(vt.evaluate(model, x, y=y)["loss"])
    with pytest.raises(ValueError, match=r"expected y as integer labels of shape \(64,\)"):
        vt.elbo(model, x)
    # the cache keys the labels: other labels, another model file
    a = vt.cached_fit(_LabelShift(), x, epochs=1, directory=tmp_path, y=y, progress=False)
    b = vt.cached_fit(_LabelShift(), x, epochs=1, directory=tmp_path, y=(y + 1) % 10, progress=False)
    assert len(list(tmp_path.glob("*.pt"))) == 2 and a.epochs == b.epochs == 1


def test_build_model_rebuilds_a_registered_class_from_its_config():
    vae = vt.VAE(latent_dim=3, hidden_dims=(16, 8), likelihood="gaussian", gaussian_sigma=0.2, seed=4)
    clone = vt.build_model(vae.config())
    assert type(clone) is vt.VAE and clone.config() == vae.config()
    for a, b in zip(vae.parameters(), clone.parameters()):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="expected a config with 'class'"):
        vt.build_model({"class": "Nope"})
