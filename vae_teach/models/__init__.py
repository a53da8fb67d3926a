"""The book's models: the interface (``base``), the MLP autoencoder and VAE (``mlp``), the digit classifier."""

from .base import ImageModel, LossParts, build_model, mlp, register
from .classifier import DigitClassifier
from .mlp import VAE, AEOutput, Autoencoder, VAEOutput

__all__ = ["AEOutput", "Autoencoder", "DigitClassifier", "ImageModel", "LossParts", "VAE", "VAEOutput", "build_model", "mlp",
           "register"]
