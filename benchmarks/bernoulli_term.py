"""The Bernoulli reconstruction term: PyTorch's form against one written with log, not log1p.

``vt.bernoulli_log_likelihood`` uses ``F.binary_cross_entropy_with_logits``, which goes
through ``log1p``. During one slow spell of this shared machine ``log1p`` measured ten times
slower than usual, and a hand-written term using ``log`` looked three times faster. This
script checks that choice in three ways, on batches of 256 x 784:

1. the elementwise kernels, sampled repeatedly over about half a minute (min / median / max
   of the per-sample medians: the spread shows the machine's slow spells);
2. both forms of the term, forward and forward + backward (medians);
3. training the 784-400-20 VAE at vt.fit's defaults with each form, in alternating pairs
   (median seconds per epoch and the median paired ratio).

    .venv/bin/python benchmarks/bernoulli_term.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

import vae_teach as vt
from vae_teach import distributions

sys.path.insert(0, str(Path(__file__).parent))
from train_speed import median_seconds  # noqa: E402


class LogFormNLL(torch.autograd.Function):
    """-log p(x | logits) summed per row, as softplus(l) - x l with softplus = max(l, 0) + log(1 + exp(-|l|))."""

    @staticmethod
    def forward(ctx, logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(logits, x)
        nll = logits.abs().neg_().exp_().add_(1.0).log_()
        nll += logits.clamp_min(0.0)
        nll.addcmul_(x, logits, value=-1.0)
        return nll.sum(dim=1)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        logits, x = ctx.saved_tensors
        return torch.sigmoid(logits).sub_(x).mul_(grad.unsqueeze(1)), None


def log_form(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return -LogFormNLL.apply(logits.flatten(1), x.flatten(1))


def median_us(fn, repeats: int = 100) -> float:
    return 1e6 * median_seconds(fn, repeats)


def epoch_seconds(form, seed: int, epochs: int = 5) -> float:
    """Median seconds per epoch of vt.fit at its defaults with `form` as the Bernoulli term."""
    data = vt.load_mnist()
    original = distributions.bernoulli_log_likelihood
    distributions.bernoulli_log_likelihood = form  # what the Bernoulli likelihood of every model calls
    try:
        model = vt.VAE(latent_dim=20, hidden_dims=(400,), seed=seed)
        history = vt.fit(model, data.train_x, epochs=epochs, seed=seed, progress=False, device="cpu")
    finally:
        distributions.bernoulli_log_likelihood = original
    return statistics.median(history.seconds[1:])


def main() -> None:
    torch.manual_seed(0)
    logits, x = 4 * torch.randn(256, 784), torch.rand(256, 784)
    positive = logits.abs() + 1
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, tensors of 256 x 784")

    kernels = {"log1p": lambda: torch.log1p(positive), "log": lambda: torch.log(positive),
               "exp": lambda: torch.exp(logits), "sigmoid": lambda: torch.sigmoid(logits)}
    samples = {name: [] for name in kernels}
    for _ in range(12):
        for name, fn in kernels.items():
            samples[name].append(median_us(fn, 30))
        time.sleep(2)
    for name, values in samples.items():
        print(f"  {name:8s} median of 12 samples {statistics.median(values):6.0f} us "
              f"(min {min(values):.0f}, max {max(values):.0f})")

    forms = {"F.binary_cross_entropy_with_logits (vt)": vt.bernoulli_log_likelihood, "log form": log_form}
    for name, form in forms.items():
        trainable = logits.clone().requires_grad_()
        forward = median_us(lambda: form(logits, x))
        both = median_us(lambda: form(trainable, x).sum().backward())
        print(f"{name:40s} forward {forward:5.0f} us, forward + backward {both:5.0f} us")
    gap = (log_form(logits, x) - vt.bernoulli_log_likelihood(logits, x)).abs().max()
    print(f"largest difference per image: {float(gap):.1e} nats")

    pairs = []
    for seed in range(6):
        order = list(forms.values()) if seed % 2 == 0 else list(forms.values())[::-1]
        seconds = {form: epoch_seconds(form, seed) for form in order}
        pairs.append((seconds[vt.bernoulli_log_likelihood], seconds[log_form]))
    print(f"training, seconds per epoch (median of 6 alternating pairs): vt {statistics.median(p[0] for p in pairs):.3f}, "
          f"log form {statistics.median(p[1] for p in pairs):.3f}; paired ratio log form / vt "
          f"{statistics.median(p[1] / p[0] for p in pairs):.2f}")


if __name__ == "__main__":
    main()
