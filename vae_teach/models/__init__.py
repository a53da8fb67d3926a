"""The book's models: the interface (``base``), the MLP autoencoder and VAE (``mlp``), the digit classifier,
the convolutional VAE (``conv``) and the conditional VAE (``conditional``)."""

from .base import ImageModel, LossParts, build_model, mlp, register
from .classifier import DigitClassifier
from .conditional import ConditionalVAE
from .conv import ConvVAE
from .mlp import VAE, AEOutput, Autoencoder, VAEOutput

__all__ = ["AEOutput", "Autoencoder", "ConditionalVAE", "ConvVAE", "DigitClassifier", "ImageModel", "LossParts", "VAE",
           "VAEOutput", "build_model", "mlp", "register"]
