"""IWAE from one table of log weights, its errors, and the model summaries, against independent oracles."""

import math

import pytest
import torch

import vae_teach as vt
from vae_teach.analysis.evaluation import (bootstrap_se, delta_method_se, importance_log_weights,
                                           iwae_curve, nested_iwae, parameter_count, repeated_draws,
                                           samples_for_precision)

from test_marginal import linear_gaussian_truth, linear_gaussian_vae, some_images


@pytest.fixture(scope="module")
def linear_model():
    """The linear-Gaussian VAE with an encoder q = N(0, I) (its untrained encoder, pushed to the prior):
    log p(x) is known in closed form and the weights are well behaved."""
    model = linear_gaussian_vae()
    x = some_images(3)
    return model, x, linear_gaussian_truth(model, x)[0]


def test_log_weights_average_to_the_closed_form_marginal(linear_model):
    # E_q[w] = p(x) exactly, so log of the mean of many weights converges to log p(x)
    model, x, log_px = linear_model
    weights = importance_log_weights(model, x, k=20_000, seed=0)
    assert weights.log_w.shape == (20_000, 3) and weights.log_w.dtype == torch.float64
    estimate = torch.logsumexp(weights.log_w, 0) - math.log(20_000)
    assert torch.allclose(estimate, log_px, atol=0.05), f"{estimate} vs {log_px}"


def test_log_weights_match_the_package_iwae_with_the_same_seed(linear_model):
    # an oracle written separately: objectives.iwae_per_example draws z with the same generator order
    model, x, _ = linear_model
    log_w = importance_log_weights(model, x, k=10, seed=3).log_w
    with torch.no_grad():
        expected = vt.iwae_per_example(model, x, k=10, generator=torch.Generator().manual_seed(3)).double()
    assert torch.allclose(nested_iwae(log_w, 10), expected, atol=1e-4)


def test_nested_iwae_at_k1_is_the_first_log_weight_and_the_mean_of_draws_at_k1_is_the_elbo():
    log_w = torch.randn(12, 4, generator=torch.Generator().manual_seed(0)).double()
    assert torch.equal(nested_iwae(log_w, 1), log_w[0])
    curve = iwae_curve(log_w, [1, 3, 12])
    assert torch.allclose(curve.mean[0], log_w.mean(0))
    assert curve.draws.tolist() == [12, 4, 1]


def test_repeated_draws_are_disjoint_groups_by_brute_force():
    log_w = torch.randn(10, 2, generator=torch.Generator().manual_seed(1)).double()
    draws = repeated_draws(log_w, 3)
    assert draws.shape == (3, 2)  # 10 // 3 groups; the tenth weight is left out
    for g in range(3):
        for n in range(2):
            group = log_w[3 * g:3 * g + 3, n]
            assert float(draws[g, n]) == pytest.approx(math.log(float(group.exp().mean())))


def test_standard_error_from_repeated_draws_matches_the_spread_over_seeds(linear_model):
    model, x, _ = linear_model
    k = 10
    runs = [iwae_curve(importance_log_weights(model, x, k=400, seed=s).log_w, [k]) for s in range(30)]
    observed = torch.stack([r.mean[0] for r in runs]).std(dim=0)
    stated = torch.stack([r.se[0] for r in runs]).mean(dim=0)
    assert ((observed / stated - 1).abs() < 0.4).all(), f"stated {stated}, observed {observed}"


def test_delta_method_matches_the_spread_of_independent_draws(linear_model):
    model, x, _ = linear_model
    k = 200
    log_w = importance_log_weights(model, x, k=k * 60, seed=1).log_w
    spread = repeated_draws(log_w, k).std(dim=0)  # 60 independent IWAE_200 values per image
    stated = torch.stack([delta_method_se(log_w[i * k:(i + 1) * k]) for i in range(60)]).mean(0)
    assert ((spread / stated - 1).abs() < 0.35).all(), f"delta {stated}, observed {spread}"


def test_delta_method_is_zero_for_equal_weights():
    assert torch.allclose(delta_method_se(torch.zeros(50, 3)), torch.zeros(3, dtype=torch.float64))


def test_bootstrap_se_matches_the_textbook_standard_error_of_a_mean():
    values = torch.randn(400, generator=torch.Generator().manual_seed(2)).double() * 3.0
    textbook = values.std() / math.sqrt(400)
    assert float(bootstrap_se(values, resamples=4000)) == pytest.approx(float(textbook), rel=0.08)
    batched = bootstrap_se(torch.stack([values, 2 * values]), resamples=4000)
    assert batched.shape == (2,) and float(batched[1] / batched[0]) == pytest.approx(2.0, rel=1e-6)


def test_samples_for_precision_follows_the_square_law():
    samples = samples_for_precision(torch.tensor([1.0, 0.5]), [1, 100], target_se=0.1)
    assert samples.tolist() == [100.0, 2500.0]  # (1 / 0.1)^2 draws of 1; (0.5 / 0.1)^2 draws of 100
    with pytest.raises(ValueError, match="target_se > 0"):
        samples_for_precision(torch.tensor([1.0]), [1], target_se=0.0)


def test_parameter_count_matches_the_layer_sizes():
    model = vt.VAE(latent_dim=2, hidden_dims=(400,), seed=0)
    encoder = 784 * 400 + 400 + 2 * (400 * 2 + 2)
    decoder = 2 * 400 + 400 + 400 * 784 + 784
    assert parameter_count(model) == encoder + decoder


def test_bad_inputs_are_refused_with_what_was_expected():
    with pytest.raises(ValueError, match=r"k <= 5"):
        nested_iwae(torch.zeros(5, 2), 6)
    with pytest.raises(ValueError, match=r"\(K, N\)"):
        iwae_curve(torch.zeros(5), [1])
    with pytest.raises(TypeError, match="VAE"):
        importance_log_weights(vt.Autoencoder(latent_dim=2), some_images(1), k=2)


def test_a_proposal_closer_to_the_posterior_gives_the_same_marginal_with_less_spread(linear_model):
    model, x, log_px = linear_model
    _, post_mean, post_cov = linear_gaussian_truth(model, x)
    best_var = (1.0 / torch.linalg.inv(post_cov).diagonal()).expand(3, 2)  # the mean-field optimum
    proposal = (post_mean.float(), best_var.log().float())
    near = importance_log_weights(model, x, k=4000, seed=0, proposal=proposal).log_w
    far = importance_log_weights(model, x, k=4000, seed=0).log_w
    assert torch.allclose(torch.logsumexp(near, 0) - math.log(4000), log_px, atol=0.02)
    assert (near.std(0) < far.std(0)).all()
    with pytest.raises(ValueError, match=r"proposal as \(mu, logvar\)"):
        importance_log_weights(model, x, k=2, proposal=(post_mean, post_mean[:1]))
