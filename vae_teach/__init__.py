"""vae_teach: the helper package of the vae-teach book (autoencoders to VAEs in PyTorch).

The chapter-facing API::

    import vae_teach as vt
    data = vt.load_mnist()
    vae = vt.VAE(latent_dim=20)
    hist = vt.fit(vae, data.train_x, epochs=20, seed=0)
    vt.elbo(vae, data.test_x), vt.iwae(vae, data.test_x, k=100)

This module only re-exports: each name lives in the module of its kind
(``data``, ``distributions``, ``models``, ``objectives``, ``training``,
``analysis``, ``plot``, ``explore``, ``exercises``). Chapters call ``vt.*`` and
``vt.exercises.*`` and nothing else.
"""

from ._version import __version__

from . import exercises
from .analysis.anomaly import (AUROC, auroc, auroc_interval, bootstrap_aurocs, complexity_corrected,
                               negative_elbo_scores, negative_iwae_scores, png_nats, reconstruction_scores, roc_curve)
from .analysis.bottleneck import SweepResult, bottleneck_sweep
from .analysis.classifier import arithmetic_success, judge_digits, pixel_classifier
from .analysis.codes import (empty_cell_fraction, encode_dataset, nearest_distance, random_codes_like,
                             sample_fitted_gaussian, share_in_holes)
from .analysis.coverage import classifier_features, effective_classes, manifold_precision_recall, sample_coverage
from .analysis.embedding import embed_pca, embed_tsne
from .analysis.rate_distortion import rate_distortion, sweep_rows
from .analysis.compression import (code_bytes, compression_ratio, compression_rows, parameter_bytes, png_bytes,
                                   png_sizes, round_trip)
from .analysis.diagnostics import prior_samples, sampled_reconstructions, vae_report
from .analysis.comparison import ProtocolResult, binarize, comparability, compare_models, standard_protocol
from .analysis.eval_cache import cached_evaluation
from .analysis.evaluation import (IWAECurve, LogWeights, bootstrap_se, delta_method_se,
                                  importance_log_weights, iwae_curve, nested_iwae, parameter_count, repeated_draws,
                                  samples_for_precision)
from .analysis.gaps import (ElboEstimate, InferenceGaps, best_gaussian_on_grid, gaps_by_quadrature, gaps_from,
                            gaussian_elbo, optimise_gaussian)
from .analysis.estimators import (GradientVariance, gradient_variance, monte_carlo_kl, reconstruction_objective,
                                  reparameterized_gradient, score_function_gradient)
from .analysis.grids import normal_quantile_axis, quantile_grid, square_grid
from .analysis.latent_usage import active_units, kl_per_dimension, posterior_mean_variance, prior_norm_band
from .analysis.marginal import (BoundEstimate, GridPosterior, best_diagonal_gaussian, expected_iwae, iwae_estimates,
                                kl_to_true_posterior, log_marginal_grid)
from .analysis.paths import (class_direction, class_means, interpolate, lerp, move_along, path_norms, slerp,
                             traversal_codes)
from .analysis.quadrature import quadrature_elbo
from .analysis.pca import (PCA, decoder_basis, fit_pca, pca_decode, pca_encode, pca_reconstruct, principal_angles,
                           truncate_pca)
from .analysis.probes import linear_probe_accuracy, probe_rows
from .analysis.reconstruction import mean_image_error, model_error, reconstruction_error
from .data.corruptions import gaussian_noise, mask_pixels, occlude_block, rotate_quarter
from .data.digits import load_sklearn_digits, upsample_digits
from .data.mnist import ImageData, OfflineDataError, load_mnist
from .data.stats import FULL_SIZES, exact_overlap, mean_images, memory_bytes, nonzero_share_by_class, pixel_stats, split_summary
from .distributions import (Bernoulli, ContinuousBernoulli, Gaussian, LearnedGaussian, bernoulli_log_likelihood,
                            free_bits_kl, gaussian_kl, gaussian_kl_per_dim, gaussian_log_likelihood, log_normal_diag,
                            log_standard_normal, reparameterize, squared_error)
from .explore.explorers import (arithmetic_explorer, interpolation_explorer, latent_map_explorer,
                                traversal_explorer)
from .explore.draw import draw_explorer
from .explore.pager import dataset_pager
from .explore.sweep import beta_explorer
from .models import (BUGS, VAE, AEOutput, Autoencoder, BuggyVAE, ConditionalVAE, ConvVAE, DigitClassifier, ImageModel, LossParts, PixelARVAE,
                     VAEOutput, build_model)
from .objectives import elbo, elbo_per_example, iwae, iwae_per_example, loss_parts
from .plot.anomaly import plot_roc_curves, plot_score_histograms
from .plot.charts import (plot_arithmetic_success, plot_compression, plot_error_vs_k, plot_kl_per_dimension,
                          plot_kl_per_dimension_grid,
                          plot_path_norms, plot_per_class, plot_principal_angles)
from .plot.curves import plot_bound_gaps, plot_gradient_variance, plot_history, plot_kl_convergence
from .plot.evaluation import plot_gaps, plot_iwae_convergence
from .plot.diagrams import draw_autoencoder_diagram, draw_vae_diagram
from .plot.images import show_image_and_vector, show_image_grids, show_images, show_manifold, show_rows
from .plot.tradeoffs import plot_class_shares, plot_embeddings, plot_rate_distortion
from .plot.latent import (plot_code_holes, plot_codes_and_random, plot_latent_maps, plot_latent_scatter,
                          plot_posteriors)
from .training.cache import cached_fit, fit_in_phases
from .training.checkpoint import CheckpointError, load_model, load_weights, save_model
from .training.fit import History, TrainingDivergedError, default_device, evaluate, fit
from .training.recipes import RECIPES, Recipe, digit_classifier, pretrained, recipe

__all__ = [
    # data
    "FULL_SIZES", "ImageData", "OfflineDataError", "load_mnist", "gaussian_noise", "mask_pixels",
    "occlude_block", "rotate_quarter", "load_sklearn_digits", "upsample_digits",
    "exact_overlap", "mean_images", "memory_bytes", "nonzero_share_by_class", "pixel_stats", "split_summary",
    # distributions
    "Bernoulli", "ContinuousBernoulli", "Gaussian", "LearnedGaussian", "bernoulli_log_likelihood", "free_bits_kl",
    "gaussian_kl", "gaussian_kl_per_dim",
    "gaussian_log_likelihood", "log_normal_diag", "log_standard_normal", "reparameterize", "squared_error",
    # models
    "AEOutput", "Autoencoder", "BUGS", "BuggyVAE", "ConditionalVAE", "ConvVAE", "DigitClassifier", "PixelARVAE", "ImageModel", "LossParts", "VAE", "VAEOutput", "build_model",
    # objectives
    "elbo", "elbo_per_example", "iwae", "iwae_per_example", "loss_parts",
    # training and the model cache
    "History", "TrainingDivergedError", "default_device", "evaluate", "fit",
    "CheckpointError", "cached_fit", "fit_in_phases", "load_model", "load_weights", "save_model",
    "RECIPES", "Recipe", "digit_classifier", "pretrained", "recipe",
    # analysis
    "SweepResult", "bottleneck_sweep", "arithmetic_success", "judge_digits", "pixel_classifier",
    "empty_cell_fraction", "encode_dataset", "nearest_distance", "random_codes_like", "sample_fitted_gaussian",
    "share_in_holes", "code_bytes", "compression_ratio", "compression_rows", "parameter_bytes", "png_bytes",
    "png_sizes", "AUROC", "auroc", "auroc_interval", "bootstrap_aurocs", "complexity_corrected",
    "negative_elbo_scores", "negative_iwae_scores", "png_nats", "reconstruction_scores", "roc_curve",
    "round_trip", "prior_samples", "sampled_reconstructions", "vae_report", "GradientVariance", "gradient_variance", "monte_carlo_kl", "reconstruction_objective",
    "reparameterized_gradient", "score_function_gradient", "normal_quantile_axis", "quantile_grid", "square_grid",
    "active_units", "kl_per_dimension", "posterior_mean_variance", "prior_norm_band", "BoundEstimate", "GridPosterior", "best_diagonal_gaussian", "expected_iwae",
    "iwae_estimates", "quadrature_elbo",
    "kl_to_true_posterior",
    "log_marginal_grid", "class_direction", "class_means", "interpolate", "lerp", "move_along", "path_norms",
    "slerp", "traversal_codes", "PCA", "decoder_basis", "fit_pca", "pca_decode", "pca_encode", "pca_reconstruct",
    "principal_angles", "truncate_pca", "linear_probe_accuracy", "probe_rows", "model_error",
    "reconstruction_error", "mean_image_error",
    # analysis, chapter 7 part B: coverage of samples, the rate-distortion plane, embeddings of codes
    "classifier_features", "effective_classes", "manifold_precision_recall", "sample_coverage",
    "rate_distortion", "sweep_rows", "embed_pca", "embed_tsne",
    # analysis: evaluating (chapter 8)
    "IWAECurve", "LogWeights", "bootstrap_se", "delta_method_se", "importance_log_weights",
    "iwae_curve", "nested_iwae", "parameter_count", "repeated_draws", "samples_for_precision",
    "ElboEstimate", "InferenceGaps", "best_gaussian_on_grid", "gaps_by_quadrature", "gaps_from", "gaussian_elbo",
    "optimise_gaussian", "cached_evaluation", "ProtocolResult", "binarize", "comparability", "compare_models",
    "standard_protocol",
    # plots
    "plot_arithmetic_success", "plot_compression", "plot_error_vs_k", "plot_kl_per_dimension",
    "plot_kl_per_dimension_grid", "plot_path_norms",
    "plot_per_class", "plot_principal_angles", "plot_bound_gaps", "plot_gradient_variance", "plot_history",
    "plot_kl_convergence", "draw_autoencoder_diagram", "draw_vae_diagram", "plot_roc_curves",
    "plot_score_histograms", "plot_gaps", "plot_iwae_convergence",
    "show_image_and_vector", "show_image_grids", "show_images", "show_manifold", "show_rows", "plot_code_holes",
    "plot_codes_and_random", "plot_latent_maps", "plot_latent_scatter", "plot_posteriors",
    "plot_class_shares", "plot_embeddings", "plot_rate_distortion",
    # explorers
    "arithmetic_explorer", "interpolation_explorer", "latent_map_explorer", "traversal_explorer", "dataset_pager",
    "draw_explorer",
    "beta_explorer",
    # exercises
    "exercises",
]
