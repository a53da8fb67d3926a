"""The explorers' JavaScript (vae_teach/explore/static) under node, held to oracles Python computes.

This module writes one JSON fixture (numpy's float16 values, ``export.dequantize`` and
``export.decode_numpy`` and torch's decode of the same codes, ``vt.lerp``/``vt.slerp``
paths, ``vt.traversal_codes``, ``vt.move_along``, a row of digits laid out by numpy)
and runs each ``tests/explore/js/*.test.mjs`` with ``node --test``, the fixture's path
in ``VT_JS_FIXTURE`` and the package's static folder in ``VT_STATIC``.

Without ``node`` the tests skip with a message, except under CI (``CI=true``), where
they fail (``.ci/run`` installs Debian's ``nodejs``).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import torch

import vae_teach as vt
from vae_teach.plot.images import PAD_INK
from vae_teach.explore import export

JS_TESTS = sorted((Path(__file__).parent / "js").glob("*.test.mjs"))
NODE = os.environ.get("VAE_TEACH_NODE", "node")


@pytest.fixture(scope="module", autouse=True)
def _require_node():
    if shutil.which(NODE):
        return
    reason = f"no `{NODE}` on PATH (apt-get install -y nodejs, or set VAE_TEACH_NODE)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the JavaScript tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"JavaScript tests skipped: {reason}")


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _decoder_cases(model: vt.Autoencoder, codes: torch.Tensor, calibration: torch.Tensor) -> dict:
    """For int8 and float16 exports: the spec, its weights as Python rebuilds them, numpy's and torch's pixels."""
    with torch.no_grad():
        exact = model.decode(codes).reshape(len(codes), 784).numpy().astype("<f4")
    cases = {}
    for dtype, tolerance in (("int8", 0.02), ("float16", 0.005)):
        spec = export.export_decoder(model, dtype, calibration if dtype == "int8" else None)
        layers = export.dequantize(spec)
        cases[dtype] = {"spec": spec, "torch_tolerance": tolerance,
                        "weights": [_b64(w.astype("<f4")) for w, _ in layers],
                        "biases": [_b64(b.astype("<f4")) for _, b in layers],
                        "numpy": _b64(export.decode_numpy(spec, codes.numpy()).astype("<f4")), "torch": _b64(exact)}
    return cases


def _path_cases(g: torch.Generator) -> list[dict]:
    """Endpoint pairs of several kinds, with vt.lerp's and vt.slerp's paths between them."""
    a16, b16 = torch.randn(2, 16, generator=g)
    perpendicular = torch.tensor([0.0, 1.0, 0.0])
    pairs = {"2-D": (torch.randn(2, generator=g), torch.randn(2, generator=g), 8),
             "16-D": (a16, b16, 12),
             "16-D, equal norms": (4 * a16 / a16.norm(), 4 * b16 / b16.norm(), 5),
             "nearly parallel": (torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 3.0, 4.5 + 1e-7]), 4),
             "zero start": (torch.zeros(3), torch.tensor([1.0, -1.0, 2.0]), 3),
             "wide angle": (torch.tensor([1.0, 0.0, 0.0]), torch.tensor([-1.0, 0.0, 0.0]) + 0.05 * perpendicular, 9)}
    return [{"name": name, "a": a.tolist(), "b": b.tolist(), "steps": steps,
             "lerp": vt.lerp(a, b, steps).tolist(), "slerp": vt.slerp(a, b, steps).tolist()}
            for name, (a, b, steps) in pairs.items()]


def _row_case(g: torch.Generator) -> dict:
    """Three images (random, all black, all white) and the grey levels numpy lays them out in."""
    images = torch.stack([torch.rand(784, generator=g), torch.zeros(784), torch.ones(784)]).numpy().astype("<f4")
    width = 3 * 29 - 1
    # the column between digits has the figures' padding ink (PAD_INK), drawn dark on white
    grey = np.full((28, width), np.floor((1 - PAD_INK) * 255 + 0.5), dtype=np.uint8)
    for k, image in enumerate(images):  # round half up, as Math.round does
        grey[:, k * 29:k * 29 + 28] = np.floor((1 - image.astype(np.float64).reshape(28, 28)) * 255 + 0.5)
    return {"images": _b64(images), "grey": _b64(grey), "width": width}


@pytest.fixture(scope="module")
def js_fixture(tmp_path_factory) -> Path:
    g = torch.Generator().manual_seed(0)
    data = vt.load_mnist()
    model = vt.Autoencoder(latent_dim=2, hidden_dims=(200,), seed=0)
    vt.fit(model, data.train_x[:1000], epochs=2, progress=False)
    test_codes = vt.encode_dataset(model, data.test_x[:300])
    low, high = test_codes.min(0).values, test_codes.max(0).values
    grid = torch.stack(torch.meshgrid(torch.linspace(low[0], high[0], 30), torch.linspace(low[1], high[1], 30),
                                      indexing="ij"), dim=-1).reshape(-1, 2)
    codes = torch.cat([test_codes[:30], low + (high - low) * torch.rand(20, 2, generator=g)])
    bits = np.arange(65536, dtype="<u2")
    z16 = torch.randn(16, generator=g)
    means = torch.randn(10, 16, generator=g)
    extent = [float(low[0]), float(high[0]), float(low[1]), float(high[1])]
    fixture = {
        "float16": {"bits": _b64(bits), "values": _b64(bits.view("<f2").astype("<f4"))},
        "codes": _b64(codes.numpy().astype("<f4")),
        "decoders": _decoder_cases(model, codes, grid),
        "paths": _path_cases(g),
        "sweeps": [{"z": z16.tolist(), "dim": d, "span": span, "steps": steps,
                    "codes": vt.traversal_codes(z16, d, torch.linspace(-span, span, steps)).tolist()}
                   for d, span, steps in ((0, 3.0, 9), (7, 0.5, 2), (15, 4.0, 12))],
        "moves": [{"z": z16.tolist(), "from": means[a].tolist(), "to": means[b].tolist(), "amount": amount,
                   "steps": steps,
                   "codes": vt.move_along(z16, means[b] - means[a], torch.linspace(0.0, amount, steps)).tolist()}
                  for a, b, amount, steps in ((1, 7, 1.0, 7), (3, 8, -1.0, 5), (0, 6, 2.0, 2))],
        "row": _row_case(g),
        "plane": {"extent": extent, "size": 360,
                  "codes": (low + (high - low) * torch.rand(25, 2, generator=g)).double().tolist()},
    }
    path = tmp_path_factory.mktemp("js") / "fixture.json"
    path.write_text(json.dumps(fixture))
    return path


@pytest.mark.parametrize("test_file", JS_TESTS, ids=[p.name for p in JS_TESTS])
def test_javascript_under_node(test_file: Path, js_fixture: Path):
    static = resources.files("vae_teach.explore").joinpath("static")
    env = dict(os.environ, VT_JS_FIXTURE=str(js_fixture), VT_STATIC=str(static))
    result = subprocess.run([NODE, "--test", "--test-reporter=spec", str(test_file)], capture_output=True,
                            text=True, env=env, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "skipped 0" in output, f"a test skipped although the fixture was given:\n{output}"


def test_there_are_javascript_tests_for_core_and_every_view():
    names = {p.name for p in JS_TESTS}
    assert {"decoder.test.mjs", "paths.test.mjs", "drawing.test.mjs", "start.test.mjs"} <= names, names
