"""Training: ``fit`` for the autoencoder and the VAE, with data held in memory as tensors."""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Callable

import torch
from torch import Tensor

from .._validate import (check_device, check_images, check_nonnegative_int, check_positive_int, check_real,
                         check_seed, describe)
from ..models.base import is_model
from ..objectives import mean_over_batches

Corruption = Callable[[Tensor, torch.Generator], Tensor]


class TrainingDivergedError(FloatingPointError):
    """Training produced a non-finite loss or weight (NaN or infinity): the step size is too large."""


def default_device() -> torch.device:
    """CUDA when present, else CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class History:
    """Per-epoch training record; losses are per example, in nats.

    loss = recon + beta * kl on the training set (averaged over the epoch's batches);
    test_* are the same terms on test_x after each epoch (empty without test_x).
    seconds: wall time of each epoch's training steps (evaluation excluded).
    interrupted: True when Ctrl-C stopped training early.
    """

    loss: list[float] = field(default_factory=list)
    recon: list[float] = field(default_factory=list)
    kl: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_recon: list[float] = field(default_factory=list)
    test_kl: list[float] = field(default_factory=list)
    interrupted: bool = False

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "History":
        return cls(**values)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(epochs=0)"
        test = f", test_loss={self.test_loss[-1]:.2f}" if self.test_loss else ""
        return (f"History(epochs={self.epochs}, loss={self.loss[-1]:.2f}, recon={self.recon[-1]:.2f}, "
                f"kl={self.kl[-1]:.2f}{test}, seconds={sum(self.seconds):.1f}"
                f"{', interrupted' if self.interrupted else ''})")


def _progress_on(progress: bool | None) -> bool:
    """progress, or by default on unless $TQDM_DISABLE is set.

    tqdm's notebook bar (what ``tqdm.auto`` picks in a kernel) ignores TQDM_DISABLE, so it
    is read here: the book build sets it, and a frozen "0%" bar in a page is noise.
    """
    if progress is not None:
        return bool(progress)
    return os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("1", "true", "yes")


def evaluate(model, x: Tensor, beta: float = 1.0, batch_size: int = 1000, seed: int = 0,
             y: Tensor | None = None) -> dict[str, float]:
    """Mean loss, recon and kl per example of a model on images x (N, 1, 28, 28); no gradients.

    y: (N,) labels for a conditional model. beta: a finite number >= 0; seed: an int.
    """
    beta = check_real(beta, "beta")
    means = mean_over_batches(
        lambda batch, generator, labels: torch.stack(
            model.loss_parts(batch, labels, beta=beta, generator=generator), dim=1),
        model, x, batch_size, seed, y)
    loss, recon, kl = means.tolist()
    return {"loss": loss, "recon": recon, "kl": kl}


ADAM_BETAS = (0.9, 0.99)


def _adam(model, lr: float) -> torch.optim.Adam:
    # beta2 = 0.99 (not 0.999) lets the step size adapt within the few hundred steps of a
    # short run. The fused kernel updates all parameters in one pass: on a CPU it is several
    # times faster than the default, and the optimizer step is a large share of a small MLP's step.
    try:
        return torch.optim.Adam(model.parameters(), lr=lr, betas=ADAM_BETAS, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.Adam(model.parameters(), lr=lr, betas=ADAM_BETAS)


def _set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr


def fit(model, train_x: Tensor, epochs: int = 10, *, batch_size: int = 256, lr: float = 8e-3,
        warmup_steps: int = 24, seed: int = 0, beta: float = 1.0, test_x: Tensor | None = None,
        corrupt: Corruption | None = None, device: str | torch.device | None = None,
        progress: bool | None = None, history: History | None = None,
        y: Tensor | None = None, test_y: Tensor | None = None, kl_warmup_epochs: int = 0) -> History:
    """Train an Autoencoder or a VAE in place with Adam; returns the per-epoch History.

    The defaults (batch 256, lr 8e-3 reached after a linear warm-up of 24 steps, Adam
    betas (0.9, 0.99)) are tuned for the VAEs of the book on a CPU: a batch of 256 keeps
    the matmuls near the machine's peak rate and the optimizer steps few, and the warm-up
    lets the learning rate be higher than a fresh Adam tolerates in its first steps (see
    benchmarks/train_speed.py and BENCHMARKS.md). The squared-error autoencoders of
    chapter 2 train better at lr 3e-3. A model that has never been trained first gets
    its output bias set from the mean training image (``init_output_bias``).

    train_x, test_x: (N, 1, 28, 28) float images in [0, 1], kept in memory and
    batched by indexing. warmup_steps: the learning rate rises linearly from lr / warmup_steps
    to lr over this many optimizer steps at the start of every call (each call starts a
    fresh Adam); 0 starts at lr. beta: weight of the KL term (VAE only; 1 gives the ELBO).
    corrupt: ``corrupt(x_batch, generator) -> noisy batch``, both (B, 1, 28, 28), fed to the encoder while the
    clean batch stays the target (a denoising autoencoder).
    seed: an int in [0, 2**63) that fixes the shuffling and the sampling noise (same seed, same model
    on CPU); None draws one from torch's global RNG (so ``torch.manual_seed`` still decides).
    device: default CUDA when present, else CPU; the model is moved there.
    progress: a tqdm bar (default: tqdm's own default, off when $TQDM_DISABLE=1).
    y, test_y: (N,) integer labels of train_x and test_x, for a conditional model
    (a model that takes no labels refuses them).
    history: continue appending to an earlier History.
    kl_warmup_epochs: KL annealing (Bowman et al. 2016): the KL weight rises linearly, step by
    step, from 0 to beta over this many epochs (0: beta from the start); ``loss`` in the
    history is then recorded with the weight of each step.
    Ctrl-C stops training, keeps the weights so far and returns the History with
    ``interrupted=True``.
    A non-finite loss or weight stops training with a TrainingDivergedError naming the epoch
    and step (before the optimizer step that would spread it); the cache never stores such a model.
    """
    check_trainable(model)
    check_positive_int(epochs, "epochs")
    check_positive_int(batch_size, "batch_size")
    check_nonnegative_int(warmup_steps, "warmup_steps")
    check_nonnegative_int(kl_warmup_epochs, "kl_warmup_epochs")
    lr = check_real(lr, "lr", allow_minimum=False)
    beta = check_real(beta, "beta")
    seed = check_seed(seed, allow_none=True)
    if seed is None:  # unseeded: a seed drawn from torch's global RNG (so torch.manual_seed still fixes it)
        seed = int(torch.randint(2**62, ()))
    if corrupt is not None and not callable(corrupt):
        raise TypeError(f"expected corrupt as a function corrupt(x_batch, generator) -> noisy batch, or None; "
                        f"got {type(corrupt).__name__}")
    if history is not None and not isinstance(history, History):
        raise TypeError(f"expected history as a History from an earlier fit, or None; got {type(history).__name__}")
    device = check_device(device) if device is not None else default_device()
    x = check_images(train_x, "train_x").to(device).flatten(1).contiguous()
    test = check_images(test_x, "test_x") if test_x is not None else None
    labels = model.check_labels(y, x.shape[0])
    labels = labels.to(device) if labels is not None else None
    if test is not None:
        model.check_labels(test_y, test.shape[0])
    model.to(device)
    model.train()
    if int(model.epochs_trained) == 0:
        model.init_output_bias(x.mean(dim=0))
    history = history if history is not None else History()
    history.interrupted = False
    optimizer = _adam(model, lr)
    shuffle = torch.Generator().manual_seed(seed)
    noise = torch.Generator(device=device).manual_seed(seed + 1)
    n = x.shape[0]
    step = 0
    annealing_steps = kl_warmup_epochs * -(-n // batch_size)

    from tqdm.auto import tqdm

    bar = tqdm(range(epochs), desc=f"training {type(model).__name__}", unit="epoch",
               leave=False, disable=not _progress_on(progress))
    try:
        for epoch in bar:
            start = time.perf_counter()
            sums = torch.zeros(3, dtype=torch.float64, device=device)
            for idx in torch.randperm(n, generator=shuffle).to(device).split(batch_size):
                batch = x.index_select(0, idx)
                noisy = _corrupted(corrupt, batch.view(-1, 1, 28, 28), noise) if corrupt is not None else None
                batch_y = labels.index_select(0, idx) if labels is not None else None
                weight = kl_weight(step, annealing_steps, beta)
                parts = model.loss_parts(batch, batch_y, beta=weight, generator=noise, x_input=noisy)
                optimizer.zero_grad(set_to_none=True)
                loss = parts.loss.mean()
                step += 1
                if not bool(torch.isfinite(loss)):  # stop before the step spreads it into the weights
                    raise _diverged(f"the loss is {loss.item()}", epoch, step, lr)
                loss.backward()
                if step <= warmup_steps:
                    _set_lr(optimizer, lr * step / warmup_steps)
                optimizer.step()
                sums += torch.stack([p.detach().sum() for p in parts]).double()
            seconds = time.perf_counter() - start
            if not all(bool(torch.isfinite(p).all()) for p in model.parameters()):
                raise _diverged("a weight is no longer finite", epoch, step, lr)
            model.epochs_trained += 1
            loss, recon, kl = (sums / n).tolist()
            history.loss.append(loss)
            history.recon.append(recon)
            history.kl.append(kl)
            history.seconds.append(seconds)
            if test is not None:
                scores = evaluate(model, test, beta=beta, seed=seed, y=test_y)
                history.test_loss.append(scores["loss"])
                history.test_recon.append(scores["recon"])
                history.test_kl.append(scores["kl"])
            bar.set_postfix(loss=f"{loss:.1f}")
    except KeyboardInterrupt:
        history.interrupted = True
        warnings.warn(f"training interrupted after {history.epochs} epoch(s); "
                      "the model keeps its weights so far and the history is returned", stacklevel=2)
    finally:
        bar.close()
        model.eval()
    return history


def kl_weight(step: int, annealing_steps: int, beta: float) -> float:
    """The KL weight of optimizer step ``step`` (0-based) under linear annealing over annealing_steps
    steps: beta * (step + 1) / annealing_steps until it reaches beta (beta throughout when 0)."""
    if annealing_steps <= 0:
        return beta
    return beta * min(1.0, (step + 1) / annealing_steps)


def check_trainable(model: object) -> None:
    """A vae_teach model (or a torch.compile wrapper of one, which forwards its methods), else a TypeError."""
    if not is_model(model) and not is_model(getattr(model, "_orig_mod", None)):
        raise TypeError(f"expected a vae_teach model (vt.Autoencoder, vt.VAE, ...) to train; "
                        f"got {type(model).__name__}")


def _corrupted(corrupt: Corruption, batch: Tensor, generator: torch.Generator) -> Tensor:
    """corrupt(batch, generator), checked: a tensor of the batch's shape with finite values in [0, 1]."""
    noisy = corrupt(batch, generator)
    expected = f"expected corrupt(x_batch, generator) to return images of shape {tuple(batch.shape)} in [0, 1]"
    if not isinstance(noisy, Tensor):
        raise TypeError(f"{expected}; it returned {type(noisy).__name__} (a missing return?)")
    if noisy.shape != batch.shape or not noisy.is_floating_point():
        raise ValueError(f"{expected}; it returned shape {tuple(noisy.shape)}, dtype {noisy.dtype}")
    if not bool(((noisy >= 0) & (noisy <= 1)).all()):  # NaN fails both comparisons
        raise ValueError(f"{expected}; it returned {describe(noisy)} (clamp to [0, 1])")
    return noisy


def _diverged(what: str, epoch: int, step: int, lr: float) -> TrainingDivergedError:
    return TrainingDivergedError(
        f"training diverged: {what} at epoch {epoch + 1}, step {step} (optimizer steps counted from the start "
        f"of this fit call; lr={lr:g}). "
        f"Build a fresh model and train it with a smaller learning rate (e.g. lr={lr / 10:g}); a tiny "
        "gaussian_sigma or a huge beta also blows the loss up. (cached_fit never stores a diverged model.)")
