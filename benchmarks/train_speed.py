"""Training speed: vt.fit against the reference recipe of pytorch/examples vae/main.py.

Both run in this process, on the same offline data (the shipped 5k MNIST subset):

* the reference, as that example does it: a 784-400-20 MLP with ReLU and a sigmoid
  output, Adam (lr 1e-3), batch 128, summed BCE + KL; every item made as
  torchvision's MNIST makes it (a PIL image from the uint8 array through
  ``transforms.ToTensor()``) behind a shuffling ``DataLoader``; 10 epochs;
* ``vt.fit`` on a 784-400-20 ``vt.VAE`` with the package defaults, evaluated on the
  test set after every epoch, until its test -ELBO reaches the reference's.

Prints the reference's test -ELBO and time, the time vt.fit needs to reach it, their
ratio, and vt.fit's seconds per epoch beside an arithmetic lower bound (FLOPs per
epoch over a measured matmul rate). Times are training steps only (test evaluation
excluded on both sides); medians over --repeats runs.

    .venv/bin/python benchmarks/train_speed.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

import vae_teach as vt
from vae_teach.data import subset_uint8

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


def run_fit(target: float, seed: int) -> tuple[float | None, int | None, list[float]]:
    """vt.fit with defaults until the test -ELBO reaches target.

    Returns (training seconds to reach it or None, epochs needed, seconds per epoch).
    """
    data = vt.load_mnist()
    model = vt.VAE(latent_dim=20, hidden_dims=(400,), seed=seed)
    history = vt.fit(model, data.train_x, epochs=MAX_FIT_EPOCHS, test_x=data.test_x, seed=seed,
                     progress=False, device="cpu")
    elapsed = 0.0
    for epoch, (seconds, test_loss) in enumerate(zip(history.seconds, history.test_loss), start=1):
        elapsed += seconds
        if test_loss <= target:
            return elapsed, epoch, history.seconds
    return None, None, history.seconds


def _median_seconds(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_matmul_rate(repeats: int = 20) -> float:
    """Measured float32 FLOP/s of a large square matmul on this machine (median)."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    return 2 * 1024**3 / _median_seconds(lambda: a @ b, repeats)


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


def epoch_seconds(batch_size: int, repeats: int) -> list[float]:
    """Seconds per training epoch of the 784-400-20 vt.VAE at another batch size."""
    data = vt.load_mnist()
    model = vt.VAE(latent_dim=20, hidden_dims=(400,))
    return vt.fit(model, data.train_x, epochs=max(3, repeats), batch_size=batch_size, progress=False,
                  device="cpu").seconds


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

    return flops / _median_seconds(step, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, data: shipped 5k subset "
          f"(4000 train / 1000 test)")

    # Reference and vt.fit alternate, so that a slow spell of this (shared, noisy) machine
    # hits both sides of a pair; the ratio is the median of the pairs' ratios.
    reference, runs = [], []
    for seed in range(args.repeats):
        reference.append(run_reference(seed))
        runs.append(run_fit(reference[-1][0], seed))
    ref_elbo = statistics.median(r[0] for r in reference)
    ref_seconds = statistics.median(r[1] for r in reference)
    print(f"reference (pytorch/examples recipe), {REFERENCE_EPOCHS} epochs: test -ELBO {ref_elbo:.1f} nats, "
          f"{ref_seconds:.2f} s training ({ref_seconds / REFERENCE_EPOCHS:.3f} s/epoch)")

    pairs = [(ref[1], run[0]) for ref, run in zip(reference, runs) if run[0] is not None]
    if len(pairs) < len(runs):
        print(f"vt.fit did not reach the reference's test -ELBO within {MAX_FIT_EPOCHS} epochs in "
              f"{len(runs) - len(pairs)} of {len(runs)} runs")
    fit_seconds = statistics.median(p[1] for p in pairs) if pairs else float("nan")
    ratio = statistics.median(p[1] / p[0] for p in pairs) if pairs else float("nan")
    epochs = [r[1] for r in runs]
    per_epoch = statistics.median(s for r in runs for s in r[2])
    defaults = inspect.signature(vt.fit).parameters
    print(f"vt.fit (defaults: batch {defaults['batch_size'].default}, lr {defaults['lr'].default}): "
          f"reaches it in {fit_seconds:.2f} s (epochs needed per run: {epochs})")
    print(f"ratio vt.fit / reference: {ratio:.3f} (median of {len(pairs)} pairs; target <= 0.2)")

    flops = flops_per_epoch(4000)
    peak = peak_matmul_rate()
    batch = defaults["batch_size"].default
    print(f"lower bound per epoch: {flops / 1e9:.1f} GFLOP of matmuls at the measured peak rate "
          f"(a 1024x1024 matmul) of {peak / 1e9:.0f} GFLOP/s = {flops / peak:.3f} s")
    for size in (batch, 128):
        seconds = per_epoch if size == batch else statistics.median(epoch_seconds(size, args.repeats))
        same_shape = same_shape_matmul_rate(size)
        print(f"vt.fit seconds per epoch at batch {size}: {seconds:.3f}; ratio to the bound "
              f"{seconds * peak / flops:.2f} (target <= 2); to the bound at this batch's own matmul "
              f"rate ({same_shape / 1e9:.0f} GFLOP/s) {seconds * same_shape / flops:.2f}")


if __name__ == "__main__":
    main()
