"""Training speed: vt.fit against the reference recipe of pytorch/examples vae/main.py.

Both run in this process, on the same offline data (the shipped 5k MNIST subset):

* the reference, as that example does it: a 784-400-20 MLP with ReLU and a sigmoid
  output, Adam (lr 1e-3), batch 128, summed BCE + KL; every item made as
  torchvision's MNIST makes it (a PIL image from the uint8 array through
  ``transforms.ToTensor()``) behind a shuffling ``DataLoader``; 10 epochs;
* ``vt.fit`` on a 784-400-20 ``vt.VAE`` with the package defaults, evaluated on the
  test set after every epoch, until its test -ELBO reaches the reference's.

Prints the reference's test -ELBO and time; for vt.fit at its default batch size and at
batches 128 and 32, the time it needs to reach that ELBO, the ratio of the two times, its seconds
per epoch beside an arithmetic lower bound (FLOPs per epoch over the peak matmul rate,
sampled just before and after each run), and the part of an epoch spent in the Adam
steps. Times are training steps only (test evaluation excluded on both sides); medians
over --repeats runs.

    .venv/bin/python benchmarks/train_speed.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import inspect
import math
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
from torchvision import transforms

import vae_teach as vt
from vae_teach.data.mnist import subset_uint8

REFERENCE_EPOCHS = 10
MAX_FIT_EPOCHS = 10


class PilDigits(Dataset):
    """Items made as torchvision.datasets.MNIST makes them: uint8 array -> PIL image -> transform."""

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.images, self.labels = images, labels
        self.transform = transforms.ToTensor()

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        image = Image.fromarray(self.images[index], mode="L")
        return self.transform(image), int(self.labels[index])


class ReferenceVAE(nn.Module):
    """784-400-20 MLP VAE with a sigmoid output, the shape of the pytorch/examples model."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(784, 400)
        self.to_mu = nn.Linear(400, 20)
        self.to_logvar = nn.Linear(400, 20)
        self.expand = nn.Linear(20, 400)
        self.out = nn.Linear(400, 784)

    def forward(self, x: torch.Tensor):
        h = F.relu(self.hidden(x.view(-1, 784)))
        mu, logvar = self.to_mu(h), self.to_logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.out(F.relu(self.expand(z)))), mu, logvar


def reference_loss(x_hat, mu, logvar, x) -> torch.Tensor:
    """Summed BCE + KL over the batch (Kingma & Welling 2013, appendix B)."""
    bce = F.binary_cross_entropy(x_hat, x.view(-1, 784), reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def run_reference(seed: int) -> tuple[float, float]:
    """Train the reference for 10 epochs; returns (test -ELBO per example, training seconds)."""
    train_u8, train_y, test_u8, test_y = subset_uint8()
    torch.manual_seed(seed)
    train_loader = DataLoader(PilDigits(train_u8, train_y), batch_size=128, shuffle=True)
    test_loader = DataLoader(PilDigits(test_u8, test_y), batch_size=128, shuffle=False)
    model = ReferenceVAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    seconds = 0.0
    for _ in range(REFERENCE_EPOCHS):
        model.train()
        start = time.perf_counter()
        for x, _ in train_loader:
            optimizer.zero_grad()
            loss = reference_loss(*model(x), x)
            loss.backward()
            optimizer.step()
        seconds += time.perf_counter() - start
    model.eval()
    total = 0.0
    with torch.no_grad():
        for x, _ in test_loader:
            total += float(reference_loss(*model(x), x))
    return total / len(test_loader.dataset), seconds


def run_fit(target: float, seed: int, batch_size: int) -> tuple[float | None, int | None, list[float]]:
    """vt.fit with defaults but for the batch size until the test -ELBO reaches target.

    Returns (training seconds to reach it or None, epochs needed, seconds per epoch).
    """
    data = vt.load_mnist()
    model = vt.VAE(latent_dim=20, hidden_dims=(400,), seed=seed)
    history = vt.fit(model, data.train_x, epochs=MAX_FIT_EPOCHS, batch_size=batch_size, test_x=data.test_x,
                     seed=seed, progress=False, device="cpu")
    elapsed = 0.0
    for epoch, (seconds, test_loss) in enumerate(zip(history.seconds, history.test_loss), start=1):
        elapsed += seconds
        if test_loss <= target:
            return elapsed, epoch, history.seconds
    return None, None, history.seconds


def median_seconds(fn, repeats: int) -> float:
    """Median wall time of fn() over repeats calls, after one call to warm up."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_matmul_rate(repeats: int = 10) -> float:
    """Measured float32 FLOP/s of a large square matmul on this machine (median)."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    return 2 * 1024**3 / median_seconds(lambda: a @ b, repeats)


def step_matmul_shapes(batch: int) -> list[tuple[int, int, int]]:
    """(m, k, n) of every matmul in one training step of the 784-400-20 VAE at this batch size.

    Forward: x W^T per layer. Backward: the weight gradient of every layer, and the
    input gradient of every layer but the first (the data needs none).
    """
    layers = [(784, 400), (400, 20), (400, 20), (20, 400), (400, 784)]
    forward = [(batch, n_in, n_out) for n_in, n_out in layers]
    weight_grads = [(n_out, batch, n_in) for n_in, n_out in layers]
    input_grads = [(batch, n_out, n_in) for n_in, n_out in layers[1:]]
    return forward + weight_grads + input_grads


def optimizer_seconds(run):
    """run() with every optimizer step timed: (run's result, seconds spent in optimizer.step)."""
    spent, started = [0.0], [0.0]

    def before(optimizer, args, kwargs) -> None:
        started[0] = time.perf_counter()

    def after(optimizer, args, kwargs) -> None:
        spent[0] += time.perf_counter() - started[0]

    handles = [register_optimizer_step_pre_hook(before), register_optimizer_step_post_hook(after)]
    try:
        return run(), spent[0]
    finally:
        for handle in handles:
            handle.remove()


def bracketed(run):
    """run() between two samples of the peak matmul rate: (run's result, their mean).

    The machine's speed drifts by tens of percent within a minute; a bound taken from
    rates sampled just before and after a run is the bound for that stretch of time.
    """
    before = peak_matmul_rate()
    result = run()
    return result, (before + peak_matmul_rate()) / 2


def flops_per_epoch(n_images: int) -> float:
    """FLOPs of the matmuls of one epoch (forward and backward), 2 per multiply-add."""
    return n_images * sum(2 * m * k * n for m, k, n in step_matmul_shapes(1))


def same_shape_matmul_rate(batch: int, repeats: int = 50) -> float:
    """Measured FLOP/s of one step's matmuls at their real shapes (small matmuls run below peak)."""
    operands = [(torch.randn(m, k), torch.randn(k, n)) for m, k, n in step_matmul_shapes(batch)]
    flops = sum(2 * m * k * n for m, k, n in step_matmul_shapes(batch))

    def step() -> None:
        for a, b in operands:
            a @ b

    return flops / median_seconds(step, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, data: shipped 5k subset "
          f"(4000 train / 1000 test)")

    defaults = inspect.signature(vt.fit).parameters
    batch = defaults["batch_size"].default
    # Batches 128 (the reference's) and 32 run beside the default to show what the batch
    # size trades: fewer, larger steps per epoch against more updates per image.
    sizes = tuple(dict.fromkeys((batch, 128, 32)))
    # Reference and vt.fit alternate, so that a slow spell of this (shared, noisy) machine
    # hits both sides of a pair; the ratio is the median of the pairs' ratios.
    reference, runs = [], {size: [] for size in sizes}
    for seed in range(args.repeats):
        reference.append(run_reference(seed))
        target = reference[-1][0]
        for size in sizes:
            runs[size].append(bracketed(lambda: optimizer_seconds(lambda: run_fit(target, seed, size))))
    ref_elbo = statistics.median(r[0] for r in reference)
    ref_seconds = statistics.median(r[1] for r in reference)
    print(f"reference (pytorch/examples recipe), {REFERENCE_EPOCHS} epochs: test -ELBO {ref_elbo:.1f} nats, "
          f"{ref_seconds:.2f} s training ({ref_seconds / REFERENCE_EPOCHS:.3f} s/epoch)")

    flops = flops_per_epoch(4000)
    rates = [rate for size in sizes for _, rate in runs[size]]
    peak = statistics.median(rates)
    print(f"lower bound per epoch: {flops / 1e9:.1f} GFLOP of matmuls over the measured peak rate (a "
          f"1024x1024 matmul, sampled before and after each vt.fit run: median {peak / 1e9:.0f} GFLOP/s, "
          f"range {min(rates) / 1e9:.0f}-{max(rates) / 1e9:.0f}) = {flops / peak:.3f} s")

    for size in sizes:
        label = (f"defaults: batch {batch}, lr {defaults['lr'].default} after a {defaults['warmup_steps'].default}-step "
                 "warm-up" if size == batch
                 else f"batch {size}, other defaults unchanged")
        fits = [fit for (fit, _), _ in runs[size]]
        pairs = [(ref[1], fit[0]) for ref, fit in zip(reference, fits) if fit[0] is not None]
        missed = f"; missed in {len(fits) - len(pairs)} runs" if len(pairs) < len(fits) else ""
        fit_seconds = statistics.median(p[1] for p in pairs) if pairs else float("nan")
        ratio = statistics.median(p[1] / p[0] for p in pairs) if pairs else float("nan")
        print(f"vt.fit ({label}): reaches it in {fit_seconds:.2f} s (epochs needed per run: "
              f"{[fit[1] for fit in fits]}{missed})")
        print(f"  ratio vt.fit / reference: {ratio:.3f} (median of {len(pairs)} pairs; target <= 0.2)")

        # Each run's median epoch against the bound from the rates sampled around that run.
        epoch = [statistics.median(fit[2]) for fit in fits]
        to_bound = [seconds * rate / flops for seconds, (_, rate) in zip(epoch, runs[size])]
        own_rate = same_shape_matmul_rate(size)
        print(f"  seconds per epoch: median {statistics.median(epoch):.3f}; ratio to the bound, run by run: "
              f"median {statistics.median(to_bound):.2f} (target <= 2), range {min(to_bound):.2f}-"
              f"{max(to_bound):.2f}; {statistics.median(epoch) * own_rate / flops:.2f} times the bound at "
              f"this batch's own matmul rate ({own_rate / 1e9:.0f} GFLOP/s)")
        adam = statistics.median(seconds / len(fit[2]) for (fit, seconds), _ in runs[size])
        print(f"  of which Adam steps ({math.ceil(4000 / size)} per epoch): {adam:.3f} s per epoch, "
              f"{adam * peak / flops:.2f} times the bound")


if __name__ == "__main__":
    main()
