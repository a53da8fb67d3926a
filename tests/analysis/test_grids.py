"""Quantile grids and the fitted-Gaussian sampler against scipy-free oracles (known quantiles, sample moments)."""

import pytest
import torch

from vae_teach import normal_quantile_axis, quantile_grid, sample_fitted_gaussian, square_grid


def test_normal_quantile_axis_has_known_values():
    axis = normal_quantile_axis(2)
    assert torch.allclose(axis, torch.tensor([-0.6744898, 0.6744898]), atol=1e-5)  # quartiles of N(0, 1)
    assert float(normal_quantile_axis(5)[2]) == pytest.approx(0.0, abs=1e-6)


def test_quantile_grid_puts_high_z2_on_the_top_row_and_z1_left_to_right():
    grid = quantile_grid(3).reshape(3, 3, 2)
    assert (grid[0, :, 1] > grid[2, :, 1]).all()
    assert (grid[:, 0, 0] < grid[:, 2, 0]).all()


def test_grid_from_axes_is_row_major_with_high_z2_first_unless_asked():
    from vae_teach.analysis.grids import grid_from_axes

    z1, z2 = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([10.0, 20.0])
    assert grid_from_axes(z1, z2).tolist() == [[0, 20], [1, 20], [2, 20], [0, 10], [1, 10], [2, 10]]
    assert grid_from_axes(z1, z2, high_z2_first=False)[:3].tolist() == [[0, 10], [1, 10], [2, 10]]
    with pytest.raises(ValueError, match="1-D axes"):
        grid_from_axes(torch.zeros(2, 2), z2)


def test_square_grid_spans_the_square():
    grid = square_grid(4, -2.0, 2.0)
    assert grid.shape == (16, 2)
    assert grid.min() == -2.0 and grid.max() == 2.0


def test_fitted_gaussian_reproduces_the_mean_and_covariance_of_the_codes():
    g = torch.Generator().manual_seed(0)
    codes = torch.randn(5000, 2, generator=g) @ torch.tensor([[2.0, 0.0], [1.0, 0.5]]) + torch.tensor([3.0, -1.0])
    samples = sample_fitted_gaussian(codes, 20_000, seed=1)
    assert torch.allclose(samples.mean(0), codes.mean(0), atol=0.05)
    assert torch.allclose(torch.cov(samples.T), torch.cov(codes.T), rtol=0.05, atol=0.03)


def test_fitted_gaussian_rejects_too_few_codes():
    with pytest.raises(ValueError, match="N > D"):
        sample_fitted_gaussian(torch.randn(2, 3), 5)


def test_empty_cell_fraction_counts_cells_without_codes():
    from vae_teach import empty_cell_fraction
    codes = torch.tensor([[-0.5, -0.5], [-0.4, -0.6], [0.5, 0.5]])  # two of the four cells of [-1, 1]^2
    assert empty_cell_fraction(codes, -1.0, 1.0, bins=2) == pytest.approx(0.5)
