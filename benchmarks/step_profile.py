"""Where one training step of the 784-400-20 VAE goes, at vt.fit's default batch of 256.

Runs vt.fit's inner loop (same calls, same order) with a timer around each stage and
prints the median milliseconds per stage over the steps of 5 epochs (after a warm-up
epoch), beside the time the step's matmuls alone take at their real shapes and at the
peak (1024 x 1024) rate.

    .venv/bin/python benchmarks/step_profile.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch

import vae_teach as vt
from vae_teach.training.fit import _adam

sys.path.insert(0, str(Path(__file__).parent))
from train_speed import flops_per_epoch, peak_matmul_rate, same_shape_matmul_rate  # noqa: E402

BATCH = 256
STAGES = ("gather the batch", "forward and loss", "zero the gradients", "backward", "Adam step")


def main() -> None:
    data = vt.load_mnist()
    x = data.train_x.flatten(1).contiguous()
    model = vt.VAE(latent_dim=20, hidden_dims=(400,), seed=0)
    model.init_output_bias(x.mean(dim=0))
    model.train()
    optimizer = _adam(model, 8e-3)
    shuffle, noise = torch.Generator().manual_seed(0), torch.Generator().manual_seed(1)
    times: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for epoch in range(6):
        for idx in torch.randperm(len(x), generator=shuffle).split(BATCH):
            marks = [time.perf_counter()]
            batch = x.index_select(0, idx)
            marks.append(time.perf_counter())
            parts = model.loss_parts(batch, generator=noise)
            marks.append(time.perf_counter())
            optimizer.zero_grad(set_to_none=True)
            marks.append(time.perf_counter())
            parts.loss.mean().backward()
            marks.append(time.perf_counter())
            optimizer.step()
            marks.append(time.perf_counter())
            if epoch > 0 and len(idx) == BATCH:
                for stage, start, end in zip(STAGES, marks, marks[1:]):
                    times[stage].append(end - start)
    per_step = {stage: 1e3 * statistics.median(values) for stage, values in times.items()}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; one step of {BATCH} images, median ms:")
    for stage, ms in per_step.items():
        print(f"  {stage:20s} {ms:6.2f}")
    print(f"  {'sum':20s} {sum(per_step.values()):6.2f}")
    own, peak = same_shape_matmul_rate(BATCH), peak_matmul_rate()
    flops = flops_per_epoch(BATCH)
    print(f"the step's matmuls alone: {1e3 * flops / own:.2f} ms at their own shapes ({own / 1e9:.0f} GFLOP/s), "
          f"{1e3 * flops / peak:.2f} ms at the peak rate ({peak / 1e9:.0f} GFLOP/s)")


if __name__ == "__main__":
    main()
