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
