"""Every chapter through a real Jupyter server's contents API: opened as a notebook and saved back
with the metadata JupyterLab adds when it runs a notebook, the ``.md`` keeps every byte.

The server is JupyterLab's (``lab_driver.running_lab``) with jupytext's contents manager and the
repository's ``jupytext.toml``, on a scratch copy of the chapters. No browser is needed.
"""

from __future__ import annotations

import json
import shutil
import sys
import urllib.request

import pytest

import lab_driver as lab
from conftest import ROOT

CHAPTERS = sorted(p.name for p in (ROOT / "book").glob("[0-9][0-9]_*.md"))

# What JupyterLab writes into a notebook's metadata once a python3 kernel has run it (its
# session context sets the kernelspec in this key order).
KERNEL_METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
    "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                      "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                      "pygments_lexer": "ipython3", "version": sys.version.split()[0]},
}


def _request(server: lab.Lab, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server.url}/api/contents/{path}?type=notebook&content=1", data=data,
                                     method=method, headers={"Authorization": f"token {server.token}",
                                                             "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("roundtrip")
    (root / "book").mkdir()
    shutil.copy(ROOT / "jupytext.toml", root / "jupytext.toml")
    for name in CHAPTERS:
        shutil.copy(ROOT / "book" / name, root / "book" / name)
    with lab.running_lab(root) as running:
        yield running


@pytest.mark.parametrize("name", CHAPTERS)
def test_open_and_save_through_the_server_keeps_every_byte(server, name):
    path = f"book/{name}"
    model = _request(server, "GET", path)
    assert model["type"] == "notebook" and model["content"]["cells"], path
    notebook = model["content"]
    notebook["metadata"].update(json.loads(json.dumps(KERNEL_METADATA)))
    _request(server, "PUT", path, {"type": "notebook", "format": "json", "content": notebook})
    assert (server.root / path).read_bytes() == (ROOT / path).read_bytes(), f"saving {path} changed the .md"
