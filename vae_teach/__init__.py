"""vae_teach: the helper package of the vae-teach book (autoencoders to VAEs in PyTorch).

The chapter-facing API::

    import vae_teach as vt
    data = vt.load_mnist()
    vae = vt.VAE(latent_dim=20)
    hist = vt.fit(vae, data.train_x, epochs=20, seed=0)
    vt.elbo(vae, data.test_x), vt.iwae(vae, data.test_x, k=100)
"""

__version__ = "0.4.0"

from .data import ImageData, OfflineDataError, load_mnist
from .models import VAE, Autoencoder, AEOutput, VAEOutput, build_model
from .losses import (bernoulli_log_likelihood, elbo, elbo_per_example, gaussian_kl,
                     gaussian_log_likelihood, iwae, iwae_per_example, loss_parts,
                     reparameterize, squared_error)
from .train import History, default_device, evaluate, fit
from .latent import encode_dataset
from .plots import plot_history, plot_latent_scatter, show_images, show_rows
from .cache import CheckpointError, cached_fit, load_model, load_weights, save_model
from .data_stats import exact_overlap, mean_images, memory_bytes, nonzero_share_by_class, pixel_stats, split_summary
from .plots_data import plot_per_class, show_image_and_vector
from .pca import (PCA, decoder_basis, fit_pca, pca_decode, pca_encode, pca_reconstruct, principal_angles,
                  truncate_pca)
from .noise import gaussian_noise, mask_pixels
from .bottleneck import SweepResult, bottleneck_sweep, fit_in_phases, model_error, reconstruction_error
from .features import (code_bytes, compression_ratio, compression_rows, linear_probe_accuracy, parameter_bytes,
                       png_bytes, probe_rows, round_trip)
from .codes import nearest_distance, random_codes_like, share_in_holes
from .plots_autoencoders import (draw_autoencoder_diagram, plot_code_maps, plot_codes_and_random,
                                 plot_compression, plot_error_vs_k, plot_principal_angles, plot_training_curve)
from .latent_ops import (class_direction, class_means, interpolate, lerp, move_along, path_norms, slerp,
                         traversal_codes)
from .widgets import arithmetic_explorer, interpolation_explorer, latent_map_explorer, traversal_explorer
from .marginal import expected_iwae, kl_to_true_posterior, log_marginal_grid
from .sampling import normal_quantile_axis, quantile_grid, sample_fitted_gaussian
from . import exercises, gallery  # noqa: F401  (vt.exercises.check_*, vt.gallery.dataset_pager)

__all__ = [
    "expected_iwae", "kl_to_true_posterior", "log_marginal_grid", "normal_quantile_axis", "quantile_grid",
    "sample_fitted_gaussian",
    "AEOutput", "Autoencoder", "CheckpointError", "History", "ImageData", "OfflineDataError",
    "VAE", "VAEOutput", "bernoulli_log_likelihood", "build_model", "cached_fit", "default_device",
    "elbo", "elbo_per_example", "encode_dataset", "evaluate", "fit", "gaussian_kl", "gaussian_log_likelihood", "iwae",
    "iwae_per_example", "load_mnist", "load_model", "load_weights", "loss_parts", "plot_history", "plot_latent_scatter", "reparameterize",
    "save_model", "show_images", "show_rows", "squared_error",
    # chapter 1: data statistics
    "exact_overlap", "mean_images", "memory_bytes", "nonzero_share_by_class", "pixel_stats", "split_summary",
    "plot_per_class", "show_image_and_vector",
    # chapter 2: PCA, noise, bottleneck experiments, features, codes, plots
    "PCA", "decoder_basis", "fit_pca", "pca_decode", "pca_encode", "pca_reconstruct", "principal_angles", "truncate_pca",
    "gaussian_noise", "mask_pixels", "SweepResult", "bottleneck_sweep", "fit_in_phases", "model_error",
    "reconstruction_error", "code_bytes", "compression_ratio", "compression_rows", "linear_probe_accuracy",
    "parameter_bytes", "png_bytes", "probe_rows", "round_trip",
    "nearest_distance", "random_codes_like", "share_in_holes",
    "draw_autoencoder_diagram", "plot_code_maps", "plot_codes_and_random", "plot_compression",
    "plot_error_vs_k", "plot_principal_angles", "plot_training_curve",
    # chapter 5: latent paths and the explorers
    "class_direction", "class_means", "interpolate", "lerp", "move_along", "path_norms", "slerp", "traversal_codes",
    "arithmetic_explorer", "interpolation_explorer", "latent_map_explorer", "traversal_explorer",
]
