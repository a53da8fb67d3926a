"""The book's fixed digit classifier: an outside judge of the images a model decodes.

A small MLP on raw pixels, trained once on the training split (``vt.digit_classifier``)
and cached like the other named models. It knows nothing of any model's codes, so
"the decoded images look more like digits" becomes a number: its confidence and the
classes it sees (``vt.judge_digits``).
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validate import PIXELS, check_images
from .base import LossParts, mlp, register

CLASSES = 10


@register
class DigitClassifier(nn.Module):
    """MLP 784 -> hidden_dims -> 10 logits, ReLU between layers.

    It follows the models' training interface (``loss_parts`` with labels y), so ``fit`` and
    the model cache train and store it like an autoencoder: loss = recon = cross-entropy in
    nats per example, kl = 0.
    """

    takes_labels = True
    is_variational = False

    def __init__(self, hidden_dims: Sequence[int] = (256,), seed: int | None = 0):
        super().__init__()
        self.hidden_dims = tuple(int(h) for h in hidden_dims)
        if not self.hidden_dims or min(self.hidden_dims) < 1:
            raise ValueError(f"expected hidden_dims as positive layer sizes; got {hidden_dims!r}")
        self.seed = seed
        self.register_buffer("epochs_trained", torch.zeros((), dtype=torch.int64))
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            self.net = mlp([PIXELS, *self.hidden_dims, CLASSES])

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def config(self) -> dict[str, Any]:
        return {"class": type(self).__name__, "hidden_dims": list(self.hidden_dims), "seed": self.seed}

    def forward(self, x_flat: Tensor) -> Tensor:
        """Logits (N, 10) for flattened images (N, 784); no input checks."""
        return self.net(x_flat)

    def check_labels(self, y: Tensor | None, n: int) -> Tensor:
        """Digit labels for n images: integer (n,) in 0..9."""
        if not isinstance(y, Tensor) or y.shape != (n,) or y.is_floating_point():
            got = f"shape {tuple(y.shape)}, dtype {y.dtype}" if isinstance(y, Tensor) else type(y).__name__
            raise ValueError(f"expected y as integer digit labels of shape ({n},); got {got}")
        if len(y) and (int(y.min()) < 0 or int(y.max()) >= CLASSES):
            raise ValueError(f"expected y in 0..{CLASSES - 1}; got values from {int(y.min())} to {int(y.max())}")
        return y

    def init_output_bias(self, mean_image: Tensor) -> None:
        """Nothing to set: the training interface calls it before a model's first epoch."""

    def loss_parts(self, x: Tensor, y: Tensor | None = None, *, beta: float = 1.0,
                   generator: torch.Generator | None = None, x_input: Tensor | None = None) -> LossParts:
        """Cross-entropy per example (N,), nats, of images x (N, 784) or (N, 1, 28, 28) with labels y (N,)."""
        if y is None:
            raise ValueError("the digit classifier trains on labels: pass y")
        source = x if x_input is None else x_input
        ce = F.cross_entropy(self(source.reshape(len(source), PIXELS)), y, reduction="none")
        return LossParts(ce, ce, torch.zeros_like(ce))

    @torch.no_grad()
    def probabilities(self, images: Tensor) -> Tensor:
        """Class probabilities (N, 10) of images (N, 1, 28, 28) in [0, 1]."""
        x = check_images(images, "images")
        was_training = self.training
        self.eval()
        try:
            return torch.softmax(self(x.to(self.device).reshape(len(x), PIXELS)), dim=1).cpu()
        finally:
            self.train(was_training)

    def predict(self, images: Tensor) -> Tensor:
        """The most probable digit (N,) (long) of each image (N, 1, 28, 28) in [0, 1]."""
        return self.probabilities(images).argmax(dim=1)
