"""vae_teach: the helper package of the vae-teach book (autoencoders to VAEs in PyTorch).

The chapter-facing API::

    import vae_teach as vt
    data = vt.load_mnist()
    vae = vt.VAE(latent_dim=20)
    hist = vt.fit(vae, data.train_x, epochs=20, seed=0)
    vt.elbo(vae, data.test_x), vt.iwae(vae, data.test_x, k=100)
"""

__version__ = "0.1.0"

from .data import ImageData, OfflineDataError, load_mnist
from .models import VAE, Autoencoder, AEOutput, VAEOutput, build_model
from .losses import (bernoulli_log_likelihood, elbo, elbo_per_example, gaussian_kl,
                     gaussian_log_likelihood, iwae, iwae_per_example, loss_parts,
                     reparameterize, squared_error)
from .train import History, default_device, evaluate, fit
from .latent import encode_dataset
from .plots import plot_history, plot_latent_scatter, show_images, show_rows
from .cache import CheckpointError, cached_fit, load_model, load_weights, save_model
from . import exercises, gallery  # noqa: F401  (vt.exercises.check_*, vt.gallery.dataset_pager)

__all__ = [
    "AEOutput", "Autoencoder", "CheckpointError", "History", "ImageData", "OfflineDataError",
    "VAE", "VAEOutput", "bernoulli_log_likelihood", "build_model", "cached_fit", "default_device",
    "elbo", "elbo_per_example", "encode_dataset", "evaluate", "fit", "gaussian_kl", "gaussian_log_likelihood", "iwae",
    "iwae_per_example", "load_mnist", "load_model", "load_weights", "loss_parts", "plot_history", "plot_latent_scatter", "reparameterize",
    "save_model", "show_images", "show_rows", "squared_error",
]
