"""Peak memory of vt.iwae against k: chunked (the package) and unchunked (one (k, N, 784) pass).

Each measurement runs in a fresh process, so that ru_maxrss is that run's peak:

    PYTHONPATH=. .venv/bin/python benchmarks/iwae_memory.py 200000 chunked
    PYTHONPATH=. .venv/bin/python benchmarks/iwae_memory.py 200000 unchunked
    PYTHONPATH=. .venv/bin/python benchmarks/iwae_memory.py 1000000 chunked

Measured on the 2-core CI machine (VAE 2-16, one test image): the rise in peak RSS was
187 MB chunked at k = 2e5 and at k = 1e6, and 1,813 MB unchunked at k = 2e5.
"""

import resource
import sys
import time

import torch

import vae_teach as vt
from vae_teach import objectives

torch.set_num_threads(1)
k, unchunked = int(sys.argv[1]), sys.argv[2] == "unchunked"
if unchunked:
    objectives.IWAE_MAX_ROWS = 10**12  # one chunk: every sample of the image decoded at once
vae = vt.VAE(latent_dim=2, hidden_dims=(16,))
x = vt.load_mnist().test_x[:1]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.time()
bound = vt.iwae(vae, x, k=k)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"k={k} {'unchunked' if unchunked else 'chunked'}: bound {bound:.3f} nats, "
      f"peak RSS rise {(peak - base) / 1024:.0f} MB, {time.time() - start:.1f} s")
