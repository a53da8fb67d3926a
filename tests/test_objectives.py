import math

import pytest
import torch
from torch.distributions import Bernoulli, MultivariateNormal, Normal, kl_divergence

import vae_teach as vt
from vae_teach.distributions import log_normal_diag, log_standard_normal


def test_gaussian_kl_matches_torch_distributions():
    mu, logvar = torch.randn(64, 8), torch.randn(64, 8)
    q = Normal(mu, (0.5 * logvar).exp())
    expected = kl_divergence(q, Normal(0.0, 1.0)).sum(dim=1)
    assert torch.allclose(vt.gaussian_kl(mu, logvar), expected, atol=1e-5)


def test_gaussian_kl_is_zero_at_the_prior():
    assert torch.equal(vt.gaussian_kl(torch.zeros(3, 5), torch.zeros(3, 5)), torch.zeros(3))


def test_bernoulli_log_likelihood_matches_torch_distributions_on_binary_pixels():
    logits = torch.randn(16, 1, 28, 28) * 4
    x = (torch.rand(16, 1, 28, 28) > 0.5).float()
    expected = Bernoulli(logits=logits).log_prob(x).flatten(1).sum(dim=1)
    assert torch.allclose(vt.bernoulli_log_likelihood(logits, x), expected, atol=1e-3)


def test_bernoulli_log_likelihood_matches_the_formula_on_grey_pixels():
    logits, x = torch.randn(8, 784, dtype=torch.float64), torch.rand(8, 784, dtype=torch.float64)
    p = torch.sigmoid(logits)
    expected = (x * p.log() + (1 - x) * (1 - p).log()).sum(dim=1)
    assert torch.allclose(vt.bernoulli_log_likelihood(logits, x), expected)


def test_bernoulli_log_likelihood_is_finite_for_extreme_logits():
    logits = torch.tensor([[1000.0, -1000.0]])
    assert torch.isfinite(vt.bernoulli_log_likelihood(logits, torch.tensor([[0.0, 1.0]]))).all()


def test_bernoulli_log_likelihood_gradients_match_autograd_of_the_log_sigmoid_formula():
    logits = torch.cat([torch.randn(6, 100, dtype=torch.float64) * 5,
                        torch.tensor([[0.0, 30.0, -30.0, 80.0, -80.0] * 20], dtype=torch.float64)])
    x = torch.rand(7, 100, dtype=torch.float64)
    weights = torch.rand(7, dtype=torch.float64)  # a different weight per example catches a wrong reduction
    vt_logits, vt_x = logits.clone().requires_grad_(), x.clone().requires_grad_()
    (vt.bernoulli_log_likelihood(vt_logits, vt_x) * weights).sum().backward()
    oracle_logits, oracle_x = logits.clone().requires_grad_(), x.clone().requires_grad_()
    log_p = torch.nn.functional.logsigmoid(oracle_logits)
    log_not_p = torch.nn.functional.logsigmoid(-oracle_logits)
    ((oracle_x * log_p + (1 - oracle_x) * log_not_p).sum(dim=1) * weights).sum().backward()
    assert torch.allclose(vt_logits.grad, oracle_logits.grad) and torch.allclose(vt_x.grad, oracle_x.grad)
    assert torch.autograd.gradcheck(vt.bernoulli_log_likelihood, (logits[:2, :8].clone().requires_grad_(),
                                                                  x[:2, :8].clone().requires_grad_()))


def test_bernoulli_log_likelihood_names_mismatched_shapes():
    with pytest.raises(ValueError, match=r"same shape.*logits \(2, 784\) and x \(2, 100\)"):
        vt.bernoulli_log_likelihood(torch.zeros(2, 784), torch.zeros(2, 100))


def test_gaussian_log_likelihood_matches_normal_log_prob():
    mean, x = torch.rand(4, 784), torch.rand(4, 784)
    expected = Normal(mean, 0.3).log_prob(x).sum(dim=1)
    assert torch.allclose(vt.gaussian_log_likelihood(mean, x, 0.3), expected, rtol=1e-5)


def test_log_normal_helpers_match_torch_distributions():
    z, mu, logvar = torch.randn(5, 3), torch.randn(5, 3), torch.randn(5, 3)
    expected = Normal(mu, (0.5 * logvar).exp()).log_prob(z).sum(dim=1)
    assert torch.allclose(log_normal_diag(z, mu, logvar), expected, atol=1e-5)
    assert torch.allclose(log_standard_normal(z), Normal(0.0, 1.0).log_prob(z).sum(dim=1), atol=1e-5)


def test_reparameterize_has_the_right_moments_and_passes_gradients():
    mu = torch.tensor([1.0, -2.0], requires_grad=True)
    logvar = torch.tensor([0.0, math.log(4.0)], requires_grad=True)
    z = vt.reparameterize(mu.expand(200_000, 2), logvar.expand(200_000, 2),
                          generator=torch.Generator().manual_seed(0))
    assert torch.allclose(z.mean(0), mu.detach(), atol=0.02)
    assert torch.allclose(z.std(0), torch.tensor([1.0, 2.0]), atol=0.02)
    z.sum().backward()
    assert mu.grad is not None and logvar.grad is not None and logvar.grad.abs().sum() > 0


def _linear_gaussian_vae(latent_dim=3, sigma=0.5, seed=0):
    """A VAE whose decoder is x = W z + b + sigma * noise with orthogonal columns of W, and whose
    encoder is set to the exact posterior. Then p(x) = N(b, W W^T + sigma^2 I) in closed form."""
    gen = torch.Generator().manual_seed(seed)
    vae = vt.VAE(latent_dim=latent_dim, hidden_dims=(), likelihood="gaussian", gaussian_sigma=sigma)
    q, _ = torch.linalg.qr(torch.randn(784, latent_dim, generator=gen))
    scales = torch.tensor([3.0, 2.0, 1.0])[:latent_dim]
    w, b = q * scales, torch.rand(784, generator=gen) * 0.5
    post_var = 1.0 / (1.0 + scales**2 / sigma**2)           # diagonal because W^T W is diagonal
    a = post_var[:, None] * w.T / sigma**2                   # posterior mean = a (x - b)
    with torch.no_grad():
        vae.decoder[0].weight.copy_(w)
        vae.decoder[0].bias.copy_(b)
        vae.mu_head.weight.copy_(a)
        vae.mu_head.bias.copy_(-a @ b)
        vae.logvar_head.weight.zero_()
        vae.logvar_head.bias.copy_(post_var.log())
    marginal = MultivariateNormal(b, covariance_matrix=w @ w.T + sigma**2 * torch.eye(784))
    return vae, marginal


def _images_from(marginal, n, seed=1):
    torch.manual_seed(seed)
    return marginal.sample((n,)).clamp(0.0, 1.0)


def test_importance_weight_is_log_marginal_for_every_sample_from_the_exact_posterior():
    vae, marginal = _linear_gaussian_vae()
    x = _images_from(marginal, 6)
    exact = marginal.log_prob(x.flatten(1))
    with torch.no_grad():
        single_sample_bound = vt.iwae_per_example(vae, x, k=1)
    assert torch.allclose(single_sample_bound, exact, rtol=1e-4)


def test_elbo_equals_log_marginal_when_the_encoder_is_the_exact_posterior():
    vae, marginal = _linear_gaussian_vae()
    x = _images_from(marginal, 6)
    exact = marginal.log_prob(x.flatten(1))
    with torch.no_grad():
        estimate = vt.elbo_per_example(vae, x, n_samples=4000)
    assert torch.allclose(estimate, exact, atol=0.1)


def test_elbo_and_iwae_approach_log_marginal_from_below_with_a_worse_encoder():
    vae, marginal = _linear_gaussian_vae()
    with torch.no_grad():
        vae.mu_head.bias.add_(0.3)  # shift q(z|x) away from the true posterior
    x = _images_from(marginal, 6)
    exact = float(marginal.log_prob(x.flatten(1)).mean())
    bounds = [vt.iwae(vae, x, k=k) for k in (1, 10, 1000)]
    assert vt.elbo(vae, x, n_samples=50) < exact
    # A bound in expectation: one estimate may overshoot by Monte Carlo noise.
    assert bounds[0] < bounds[1] < bounds[2] <= exact + 0.1
    assert exact - bounds[2] < 0.1 * (exact - bounds[0])


def test_elbo_matches_an_independent_monte_carlo_estimate():
    vae = vt.VAE(latent_dim=4, hidden_dims=(32,), seed=3)
    x = torch.rand(5, 1, 28, 28)
    with torch.no_grad():
        mu, logvar = vae.encode(x)
        q = Normal(mu, (0.5 * logvar).exp())
        z = q.sample((4000,))
        logits = vae.decode_logits(z.reshape(-1, 4)).reshape(4000, 5, 784)
        log_px_z = -torch.nn.functional.binary_cross_entropy_with_logits(
            logits, x.flatten(1).expand(4000, 5, 784), reduction="none").sum(-1)
        log_ratio = Normal(0.0, 1.0).log_prob(z).sum(-1) - q.log_prob(z).sum(-1)
        samples = log_px_z + log_ratio
        expected, stderr = samples.mean(0), samples.std(0) / math.sqrt(4000)
        estimate = vt.elbo_per_example(vae, x, n_samples=4000)
    assert ((estimate - expected).abs() < 5 * stderr + 1e-3).all()


def test_iwae_with_k_1_equals_the_elbo_in_expectation():
    vae = vt.VAE(latent_dim=4, hidden_dims=(32,), seed=4)
    x = torch.rand(1, 1, 28, 28)
    with torch.no_grad():
        gen = torch.Generator().manual_seed(0)
        iwae1 = vt.iwae_per_example(vae, x.expand(4000, 1, 28, 28), k=1, generator=gen)
        elbo = float(vt.elbo_per_example(vae, x, n_samples=4000, generator=gen))
    stderr = float(iwae1.std()) / math.sqrt(iwae1.numel())
    assert abs(float(iwae1.mean()) - elbo) < 5 * stderr


def test_elbo_and_iwae_refuse_an_autoencoder():
    ae = vt.Autoencoder(latent_dim=2)
    with pytest.raises(TypeError, match="needs a VAE"):
        vt.elbo(ae, torch.rand(2, 1, 28, 28))


def test_elbo_is_repeatable_with_a_seed():
    vae = vt.VAE(latent_dim=3, hidden_dims=(16,))
    x = torch.rand(10, 1, 28, 28)
    assert vt.elbo(vae, x, seed=5) == vt.elbo(vae, x, seed=5)
    assert vt.elbo(vae, x) < 0


@pytest.mark.parametrize("call, message", [
    (lambda m, x: vt.elbo(m, x, batch_size=-1), "batch_size to be a positive integer; got -1"),
    (lambda m, x: vt.elbo(m, x, batch_size=0), "batch_size to be a positive integer; got 0"),
    (lambda m, x: vt.elbo(m, x, batch_size=2.5), "batch_size to be a positive integer; got 2.5"),
    (lambda m, x: vt.iwae(m, x, k=10, batch_size=-5), "batch_size to be a positive integer; got -5"),
    (lambda m, x: vt.evaluate(m, x, batch_size=0), "batch_size to be a positive integer; got 0"),
    (lambda m, x: vt.iwae(m, x, k=0), "k to be a positive integer; got 0"),
    (lambda m, x: vt.iwae_per_example(m, x, k=0), "k to be a positive integer; got 0"),
    (lambda m, x: vt.iwae_per_example(m, x, k=-1), "k to be a positive integer; got -1"),
    (lambda m, x: vt.elbo(m, x, seed=None), r"seed as an int in \[0, 2\*\*63\); got None"),
    (lambda m, x: vt.iwae(m, x, k=2, seed="abc"), r"seed as an int in \[0, 2\*\*63\); got 'abc'"),
    (lambda m, x: vt.evaluate(m, x, seed=2.5), r"seed as an int in \[0, 2\*\*63\); got 2.5"),
])
def test_the_bounds_refuse_bad_batch_sizes_sample_counts_and_seeds(call, message):
    with pytest.raises(ValueError, match=message):
        call(vt.VAE(latent_dim=2, hidden_dims=(8,)), torch.rand(4, 1, 28, 28))


def test_the_exported_objectives_check_their_images():
    vae = vt.VAE(latent_dim=2, hidden_dims=(8,))
    x = torch.rand(3, 1, 28, 28)
    assert float(vt.elbo_per_example(vae, x).detach().max()) < 0
    for per_example in (vt.elbo_per_example, lambda m, images: vt.iwae_per_example(m, images, k=2),
                        vt.loss_parts):
        with pytest.raises(ValueError, match=r"values in \[0, 1\].*divide by 255"):
            per_example(vae, x * 255)
        with pytest.raises(ValueError, match="NaN"):
            per_example(vae, x * float("nan"))


def _recorded_decoder(model, monkeypatch):
    """Record every batch of codes the model decodes (the draws the bound used), in order."""
    calls = []
    decode = model.decode_logits

    def recording(z, y=None):
        calls.append(z.detach().clone())
        return decode(z, y)

    monkeypatch.setattr(model, "decode_logits", recording)
    return calls


def test_iwae_in_chunks_equals_a_direct_logsumexp_over_the_same_draws(monkeypatch):
    from vae_teach import objectives

    vae = vt.VAE(latent_dim=3, hidden_dims=(16,), seed=5)
    x, k = (torch.rand(7, 1, 28, 28) > 0.5).float(), 50  # binary: the oracle's Bernoulli checks its support
    monkeypatch.setattr(objectives, "IWAE_MAX_ROWS", 4)  # 7 images -> pieces of 4 and 3, 1 sample per chunk
    calls = _recorded_decoder(vae, monkeypatch)
    with torch.no_grad():
        chunked = vt.iwae_per_example(vae, x, k=k, generator=torch.Generator().manual_seed(0))
        assert max(len(z) for z in calls) <= 4 and sum(len(z) for z in calls) == k * 7
        # Oracle: torch.distributions on the recorded draws, one logsumexp over all k at once.
        z = torch.cat([torch.cat([c for c in calls[:k]]).reshape(k, 4, 3),
                       torch.cat([c for c in calls[k:]]).reshape(k, 3, 3)], dim=1)   # (k, 7, 3)
        mu, logvar = vae.encode(x)
        q = Normal(mu, (0.5 * logvar).exp())
        logits = vae.decoder(z.reshape(-1, 3)).reshape(k, 7, 784)
        log_px_z = Bernoulli(logits=logits).log_prob(x.flatten(1).expand(k, 7, 784)).sum(-1)
        log_w = log_px_z + Normal(0.0, 1.0).log_prob(z).sum(-1) - q.log_prob(z).sum(-1)
        direct = torch.logsumexp(log_w, dim=0) - math.log(k)
    assert torch.allclose(chunked, direct, atol=1e-3)


def test_iwae_with_a_large_k_never_decodes_more_than_the_bound_at_once(monkeypatch):
    from vae_teach import objectives

    vae = vt.VAE(latent_dim=2, hidden_dims=(4,))
    calls = _recorded_decoder(vae, monkeypatch)
    k = 30_000  # unchunked: (30,000 x 784) float32 tensors, 94 MB each, several at once
    bound = vt.iwae(vae, torch.rand(1, 1, 28, 28), k=k)
    assert math.isfinite(bound)
    assert max(len(z) for z in calls) <= objectives.IWAE_MAX_ROWS
    assert sum(len(z) for z in calls) == k
