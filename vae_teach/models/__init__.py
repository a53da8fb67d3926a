"""The book's models: the interface (``base``) and the MLP autoencoder and VAE (``mlp``)."""

from .base import ImageModel, LossParts, build_model, mlp, register
from .mlp import VAE, AEOutput, Autoencoder, VAEOutput

__all__ = ["AEOutput", "Autoencoder", "ImageModel", "LossParts", "VAE", "VAEOutput", "build_model", "mlp",
           "register"]
