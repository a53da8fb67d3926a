"""Train every named model of the book ahead of time (``make models``), so a class starts warm.

Usage (from the repository root)::

    python -m vae_teach.tools.models                 # train (or find cached) every recipe
    python -m vae_teach.tools.models vae-2d ae-2d    # only these
    python -m vae_teach.tools.models --list          # names, summaries and chapters; trains nothing

Models go to the model cache (``$VAE_TEACH_CACHE``, default ``~/.cache/vae_teach/models``),
where ``vt.pretrained`` and every chapter find them. A model trained before is loaded, not
retrained. Data: ``load_mnist()`` (``$VAE_TEACH_DATA`` picks full MNIST).
"""

from __future__ import annotations

import argparse
import sys
import time

from ..data.mnist import load_mnist
from ..training.cache import cache_dir
from ..training.recipes import RECIPES, pretrained

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m vae_teach.tools.models [--list] [NAME ...]``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m vae_teach.tools.models",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"recipe names (default: all {len(RECIPES)})")
    parser.add_argument("--list", action="store_true", help="list the recipes and train nothing")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in RECIPES]
    if unknown:
        print(f"unknown model name(s): {', '.join(unknown)}; known: {', '.join(RECIPES)}", file=sys.stderr)
        return 2
    names = args.names or list(RECIPES)
    if args.list:
        for name in names:
            recipe = RECIPES[name]
            print(f"{name:16} {recipe.summary}  [{', '.join(recipe.chapters)}]")
        return 0
    data = load_mnist()
    print(f"model cache: {cache_dir()}; data: {data}")
    total = time.perf_counter()
    for name in names:
        start = time.perf_counter()
        _, history = pretrained(name, data)
        # The loss is in nats for a likelihood model, squared error for a squared-error autoencoder.
        print(f"{name:16} {history.epochs:3d} epochs, final training loss {history.loss[-1]:8.2f} per image, "
              f"{time.perf_counter() - start:6.1f} s")
    print(f"{len(names)} models ready in {time.perf_counter() - total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
