import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import vae_teach as vt
from vae_teach.training import checkpoint

ROOT = Path(__file__).resolve().parents[2]


def _tiny_ae():
    return vt.Autoencoder(latent_dim=2, hidden_dims=(8,))


def _rewrite(path: Path, **changes) -> None:
    """Rewrite parts of a saved checkpoint, keeping it loadable by torch (so only our checks can object)."""
    payload = torch.load(path, weights_only=True)
    payload.update(changes)
    torch.save(payload, path)


@pytest.mark.parametrize("change, message", [
    (dict(config="{'class': 'Autoencoder'"), r"config is not valid JSON"),
    (dict(history=json.dumps({"loss": [1.0], "accuracy": [0.5]})), r"history should hold some of .*accuracy"),
    (dict(history=json.dumps({"loss": "low"})), r"history's loss should be a list of numbers"),
    (dict(state_dict=[1, 2]), r"state_dict should be a dict of tensors"),
])
def test_a_checkpoint_with_malformed_parts_is_a_checkpoint_error(tmp_path, change, message):
    path = vt.save_model(_tiny_ae(), tmp_path / "m.pt", vt.History(loss=[1.0]))
    _rewrite(path, **change)
    with pytest.raises(vt.CheckpointError, match=message):
        vt.load_model(path)
    with pytest.raises(vt.CheckpointError, match=message):
        vt.load_weights(_tiny_ae(), path)


def test_a_config_with_an_extra_key_is_a_checkpoint_error(tmp_path):
    path = vt.save_model(_tiny_ae(), tmp_path / "m.pt")
    config = {**_tiny_ae().config(), "dropout": 0.5}
    _rewrite(path, config=json.dumps(config))
    with pytest.raises(vt.CheckpointError, match=r"does not describe a vae_teach model.*dropout"):
        vt.load_model(path)
    config.pop("dropout")
    config.pop("likelihood")  # a missing key would silently take its default
    _rewrite(path, config=json.dumps(config))
    with pytest.raises(vt.CheckpointError, match=r"missing keys \['likelihood'\]"):
        vt.load_model(path)


def test_save_model_refuses_a_folder_path_and_a_non_model(tmp_path):
    with pytest.raises(IsADirectoryError, match=r"is a folder; path is a checkpoint file, e.g. .*model.pt"):
        vt.save_model(_tiny_ae(), tmp_path)
    with pytest.raises(TypeError, match="expected a vae_teach model .* got NoneType"):
        vt.save_model(None, tmp_path / "m.pt")
    with pytest.raises(TypeError, match="history .* got str"):
        vt.save_model(_tiny_ae(), tmp_path / "m.pt", history="x")
    assert list(tmp_path.iterdir()) == []


def test_loading_a_folder_says_it_is_a_folder(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder"):
        vt.load_model(tmp_path)
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        vt.load_model(tmp_path / "missing.pt")


WRITER = """
import sys, time, torch, vae_teach as vt
def stuck(payload, f, *args, **kwargs):  # a write that never ends: the temporary file stays open
    f.write(b"partial checkpoint"); f.flush(); time.sleep(120)
torch.save = stuck
vt.save_model(vt.Autoencoder(latent_dim=2, hidden_dims=()), sys.argv[1])
"""


def _start_writer(target: Path) -> tuple[subprocess.Popen, Path]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        found = list(target.parent.glob(f"{target.name}.{writer.pid}.*.tmp"))
        if found:
            return writer, found[0]
        if writer.poll() is not None:
            pytest.fail(f"the writer exited with {writer.returncode} before writing")
        time.sleep(0.1)
    writer.kill()
    pytest.fail("the writer made no temporary file within 90 s")


def test_temporaries_of_a_sigkilled_writer_are_removed_by_the_next_save(tmp_path):
    killed, killed_tmp = _start_writer(tmp_path / "a.pt")
    alive, alive_tmp = _start_writer(tmp_path / "b.pt")
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)  # reaped: its process id no longer runs
        assert killed_tmp.exists()  # what a SIGKILL leaves behind
        old = tmp_path / f"c.pt.{alive.pid}.abcd1234.vt.tmp"  # a live pid, but nobody wrote it for 2 hours
        old.write_bytes(b"x")
        os.utime(old, (time.time() - 7200, time.time() - 7200))
        unrelated = tmp_path / "notes.tmp"
        unrelated.write_text("not ours")

        vt.save_model(_tiny_ae(), tmp_path / "c.pt")

        assert not killed_tmp.exists() and not old.exists()
        assert alive_tmp.exists(), "a file that a live process is writing must be kept"
        assert unrelated.exists()
        assert vt.load_model(tmp_path / "c.pt")[0].config() == _tiny_ae().config()
    finally:
        for writer in (killed, alive):
            writer.kill()
            writer.wait(timeout=30)
    assert checkpoint.remove_stale_temporaries(tmp_path) == [alive_tmp]
