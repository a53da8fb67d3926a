"""The book's models: the interface (``base``), the MLP autoencoder and VAE (``mlp``), the digit
classifier, the convolutional VAE (``conv``), the conditional VAE (``conditional``), the buggy
losses (``buggy``) and a VAE with an autoregressive decoder."""

from .base import ImageModel, LossParts, build_model, mlp, register
from .autoregressive import PixelARVAE
from .buggy import BUGS, BuggyVAE
from .classifier import DigitClassifier
from .conditional import ConditionalVAE
from .conv import ConvVAE
from .mlp import VAE, AEOutput, Autoencoder, VAEOutput

__all__ = ["AEOutput", "Autoencoder", "BUGS", "BuggyVAE", "ConditionalVAE", "ConvVAE", "PixelARVAE", "DigitClassifier", "ImageModel", "LossParts", "VAE", "VAEOutput", "build_model", "mlp",
           "register"]
