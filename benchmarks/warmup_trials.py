"""Why vt.fit warms its learning rate up: test -ELBO of the 784-400-20 VAE after a few epochs.

For each (learning rate, warm-up steps) setting at the default batch of 256, prints the
test -ELBO after 3 and 4 epochs (mean and per seed, seeds 0-2) and after 40 epochs (seed 0,
the length of the book's chapter 4 runs). The training-speed benchmark needs the
reference's test -ELBO (about 137-139 nats, depending on its seed) within 4 epochs; the
chapters need a good model after 40.

    .venv/bin/python benchmarks/warmup_trials.py
"""

from __future__ import annotations

import statistics

import vae_teach as vt

SETTINGS = [(5e-3, 0), (8e-3, 0), (5e-3, 24), (7e-3, 32), (8e-3, 24), (1e-2, 24)]
SEEDS = (0, 1, 2)


def test_losses(lr: float, warmup_steps: int, epochs: int, seed: int) -> list[float]:
    """Test -ELBO after every epoch of one vt.fit run (batch 256, other defaults)."""
    data = vt.load_mnist()
    model = vt.VAE(latent_dim=20, hidden_dims=(400,), seed=seed)
    history = vt.fit(model, data.train_x, epochs=epochs, lr=lr, warmup_steps=warmup_steps, seed=seed,
                     test_x=data.test_x, progress=False, device="cpu")
    return history.test_loss


def main() -> None:
    print("test -ELBO (nats) of a 784-400-20 VAE, batch 256; epochs 3 and 4: mean over seeds 0-2 "
          "(per seed); epoch 40: seed 0")
    for lr, warmup_steps in SETTINGS:
        short = [test_losses(lr, warmup_steps, 4, seed) for seed in SEEDS]
        after = {epochs: [losses[epochs - 1] for losses in short] for epochs in (3, 4)}
        long = test_losses(lr, warmup_steps, 40, 0)[-1]
        cells = "  ".join(f"epoch {e}: {statistics.mean(v):.1f} ({', '.join(f'{x:.1f}' for x in v)})"
                          for e, v in after.items())
        print(f"lr {lr:g}, warm-up {warmup_steps:2d} steps:  {cells}  epoch 40: {long:.1f}")


if __name__ == "__main__":
    main()
