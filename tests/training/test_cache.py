import functools
import json
import sys
import warnings

import pytest
import torch

import vae_teach as vt
from vae_teach.training import cache


@pytest.fixture(scope="module")
def x():
    return vt.load_mnist().train_x[:300]


def _tiny_vae(**overrides):
    return vt.VAE(**{"latent_dim": 3, "hidden_dims": (16,), **overrides})


def test_second_identical_training_is_a_cache_hit(x, tmp_path, monkeypatch):
    first = _tiny_vae()
    history = vt.cached_fit(first, x, epochs=2, directory=tmp_path, progress=False)
    monkeypatch.setattr(cache, "fit", lambda *a, **k: pytest.fail("retrained on a cache hit"))
    second = _tiny_vae()
    cached_history = vt.cached_fit(second, x, epochs=2, directory=tmp_path, progress=False)
    assert cached_history.loss == history.loss
    assert all(torch.equal(p, q) for p, q in zip(first.parameters(), second.parameters()))


@pytest.mark.parametrize("change", [
    {"model": {"latent_dim": 4}},
    {"model": {"seed": 1}},
    {"fit": {"epochs": 3}},
    {"fit": {"lr": 2e-3}},
    {"fit": {"beta": 0.5}},
    {"data": True},
])
def test_any_change_to_the_key_retrains(x, tmp_path, change):
    vt.cached_fit(_tiny_vae(), x, epochs=2, directory=tmp_path, progress=False)
    model = _tiny_vae(**change.get("model", {}))
    fit_args = {"epochs": 2, **change.get("fit", {})}
    data = x[:200] if change.get("data") else x
    vt.cached_fit(model, data, directory=tmp_path, progress=False, **fit_args)
    assert len(list(tmp_path.glob("*.pt"))) == 2


def test_package_version_is_part_of_the_key(x, monkeypatch):
    key = cache.cache_key(_tiny_vae(), x, {"epochs": 2})
    monkeypatch.setattr(cache, "__version__", "99.0")
    assert cache.cache_key(_tiny_vae(), x, {"epochs": 2}) != key


def test_truncated_cache_file_warns_and_retrains(x, tmp_path):
    vt.cached_fit(_tiny_vae(), x, epochs=1, directory=tmp_path, progress=False)
    (path,) = tmp_path.glob("*.pt")
    path.write_bytes(path.read_bytes()[:100])
    with pytest.warns(UserWarning, match="not a readable vae_teach checkpoint.*retraining"):
        history = vt.cached_fit(_tiny_vae(), x, epochs=1, directory=tmp_path, progress=False)
    assert history.epochs == 1
    assert vt.load_model(path)[0].config() == _tiny_vae().config()


def test_cache_file_of_another_architecture_warns_and_retrains(x, tmp_path):
    vt.cached_fit(_tiny_vae(), x, epochs=1, directory=tmp_path, progress=False)
    (path,) = tmp_path.glob("*.pt")
    vt.save_model(vt.Autoencoder(latent_dim=2, hidden_dims=(8,)), path)
    with pytest.warns(UserWarning, match="holds a Autoencoder.*retraining"):
        vt.cached_fit(_tiny_vae(), x, epochs=1, directory=tmp_path, progress=False)


def test_load_weights_of_another_architecture_is_a_clear_error(tmp_path):
    path = vt.save_model(_tiny_vae(latent_dim=5), tmp_path / "five.pt")
    with pytest.raises(vt.CheckpointError, match=r"holds a VAE with latent_dim=5.*given is a VAE with latent_dim=3"):
        vt.load_weights(_tiny_vae(), path)


def test_garbage_file_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_text("not a checkpoint")
    with pytest.raises(vt.CheckpointError, match="truncated or corrupt"):
        vt.load_model(path)


def test_save_and_load_round_trip_with_history(x, tmp_path):
    model = _tiny_vae()
    history = vt.fit(model, x, epochs=1, progress=False)
    loaded, loaded_history = vt.load_model(vt.save_model(model, tmp_path / "m.pt", history))
    assert loaded_history.loss == history.loss
    assert torch.equal(loaded.decode(torch.zeros(1, 3)), model.decode(torch.zeros(1, 3)))


def test_interrupted_save_keeps_the_earlier_file(tmp_path, monkeypatch):
    path = vt.save_model(_tiny_vae(), tmp_path / "m.pt")
    before = path.read_bytes()

    def interrupted_save(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", interrupted_save)
    with pytest.raises(KeyboardInterrupt):
        vt.save_model(_tiny_vae(latent_dim=7), path)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_interrupted_training_is_not_cached(x, tmp_path):
    def interrupt(batch, generator):
        raise KeyboardInterrupt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = vt.cached_fit(_tiny_vae(), x, epochs=2, directory=tmp_path, progress=False, corrupt=interrupt)
    assert history.interrupted and not list(tmp_path.glob("*.pt"))


def test_checkpoints_load_with_weights_only(tmp_path):
    path = vt.save_model(_tiny_vae(), tmp_path / "m.pt")
    payload = torch.load(path, weights_only=True)
    assert set(payload) >= {"config", "state_dict", "history"}


def test_fit_in_phases_trains_every_phase_then_loads_from_the_cache(tmp_path, monkeypatch):
    x = torch.rand(64, 1, 28, 28)
    phases = [dict(epochs=2, lr=1e-2), dict(epochs=1, lr=1e-3)]
    first = vt.Autoencoder(latent_dim=2, hidden_dims=(), likelihood="gaussian")
    history = vt.fit_in_phases(first, x, phases, directory=tmp_path, progress=False)
    assert history.epochs == 3

    def no_training(*args, **kwargs):
        raise AssertionError("fit was called although the result is cached")

    monkeypatch.setattr(cache, "fit", no_training)
    second = vt.Autoencoder(latent_dim=2, hidden_dims=(), likelihood="gaussian")
    assert vt.fit_in_phases(second, x, phases, directory=tmp_path, progress=False).epochs == 3
    assert all(torch.equal(p, q) for p, q in zip(first.state_dict().values(), second.state_dict().values()))


def test_fit_in_phases_refuses_a_phase_without_epochs(tmp_path):
    with pytest.raises(ValueError, match="epochs"):
        vt.fit_in_phases(vt.Autoencoder(2, hidden_dims=()), torch.rand(8, 1, 28, 28), [dict(lr=1e-3)],
                         directory=tmp_path)


def _key(x, corrupt):
    return cache.cache_key(_tiny_vae(), x, {"epochs": 1, "corrupt": corrupt})


STD = 0.1


def _reads_global_std(batch, generator):
    return vt.gaussian_noise(batch, generator, STD)


def _noise_of(std):
    return lambda batch, generator: vt.gaussian_noise(batch, generator, std)


def test_corrupt_functions_are_keyed_by_what_they_compute(x, tmp_path, monkeypatch):
    # The case, end to end: the second lambda must train its own model, not load the first.
    low = vt.cached_fit(_tiny_vae(), x[:64], 1, directory=tmp_path, progress=False,
                        corrupt=lambda b, g: vt.gaussian_noise(b, g, 0.1))
    high = vt.cached_fit(_tiny_vae(), x[:64], 1, directory=tmp_path, progress=False,
                         corrupt=lambda b, g: vt.gaussian_noise(b, g, 0.9))
    assert len(list(tmp_path.glob("*.pt"))) == 2 and low.loss != high.loss
    # The same computation written again is the same key; any value it depends on changes the key.
    assert _key(x, lambda b, g: vt.gaussian_noise(b, g, 0.1)) == _key(x, lambda b, g: vt.gaussian_noise(b, g, 0.1))
    assert _key(x, _noise_of(0.1)) != _key(x, _noise_of(0.9))  # a closure's cell
    before = _key(x, _reads_global_std)
    monkeypatch.setattr(sys.modules[__name__], "STD", 0.9)  # a module-level value it reads
    assert _key(x, _reads_global_std) != before

    def noise(b, g, std=0.1):
        return vt.gaussian_noise(b, g, std)

    first = _key(x, noise)

    def noise(b, g, std=0.5):  # noqa: F811 (redefined with a new default, as in a notebook)
        return vt.gaussian_noise(b, g, std)

    assert _key(x, noise) != first
    assert _key(x, functools.partial(vt.gaussian_noise, std=0.1)) != _key(x, functools.partial(vt.gaussian_noise,
                                                                                                std=0.2))


def test_a_corrupt_the_cache_cannot_key_is_refused_with_how_to_name_it(x, tmp_path):
    class Noise:
        def __call__(self, batch, generator):
            return batch

    with pytest.raises(TypeError, match=r"cannot key corrupt: it is a Noise.*functools.partial"):
        vt.cached_fit(_tiny_vae(), x, 1, directory=tmp_path, corrupt=Noise())
    model = _tiny_vae()
    with pytest.raises(TypeError, match=r"cannot key 'model', which .* closes over: it is a VAE"):
        vt.cached_fit(_tiny_vae(), x, 1, directory=tmp_path, corrupt=lambda b, g: model.reconstruct(b))
    assert list(tmp_path.iterdir()) == []


def test_a_diverged_training_is_never_cached(tmp_path, monkeypatch):
    x = vt.load_mnist().train_x[:512]
    big = dict(latent_dim=4, hidden_dims=(400,))
    with pytest.raises(vt.TrainingDivergedError):
        vt.cached_fit(vt.VAE(**big), x, 3, lr=10, device="cpu", directory=tmp_path, progress=False)
    assert not list(tmp_path.glob("*.pt"))
    # A cache file with NaN weights (from an older version) is retrained, not returned.
    model = _tiny_vae()
    vt.cached_fit(model, x[:64], 1, directory=tmp_path, progress=False)
    (path,) = tmp_path.glob("*.pt")
    with torch.no_grad():
        model.decoder[0].weight.fill_(float("nan"))
    vt.save_model(model, path, vt.History(loss=[1.0], recon=[1.0], kl=[0.0], seconds=[0.1]))
    with pytest.warns(UserWarning, match="non-finite weights.*retraining"):
        vt.cached_fit(_tiny_vae(), x[:64], 1, directory=tmp_path, progress=False)
    assert all(torch.isfinite(p).all() for p in vt.load_model(path)[0].parameters())


@pytest.mark.parametrize("break_file", ["config not json", "history keys", "config extra key"])
def test_a_malformed_cache_file_warns_and_retrains(x, tmp_path, break_file):
    vt.cached_fit(_tiny_vae(), x[:64], 1, directory=tmp_path, progress=False)
    (path,) = tmp_path.glob("*.pt")
    payload = torch.load(path, weights_only=True)
    if break_file == "config not json":
        payload["config"] = "{not json"
    elif break_file == "history keys":
        payload["history"] = json.dumps({"loss": [1.0], "val_loss": [2.0]})
    else:
        payload["config"] = json.dumps({**_tiny_vae().config(), "extra": 1})
    torch.save(payload, path)
    with pytest.warns(UserWarning, match=r"model cache: .*(JSON|history|does not describe).*retraining"):
        history = vt.cached_fit(_tiny_vae(), x[:64], 1, directory=tmp_path, progress=False)
    assert history.epochs == 1 and vt.load_model(path)[1].loss == history.loss


def test_a_cache_folder_that_cannot_take_files_is_refused_before_training(x, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "fit", lambda *a, **k: pytest.fail("trained before checking the cache folder"))
    a_file = tmp_path / "models"
    a_file.write_text("a file, not a folder")
    with pytest.raises(NotADirectoryError, match=r"is a file, not a folder.*VAE_TEACH_CACHE"):
        vt.cached_fit(_tiny_vae(), x, 1, directory=a_file)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache.tempfile, "TemporaryFile", refuse)  # chmod does not stop root, which CI may be
    with pytest.raises(PermissionError, match=r"cannot write into .*Permission denied.*directory="):
        vt.cached_fit(_tiny_vae(), x, 1, directory=tmp_path / "ok")


def test_a_cache_path_that_is_a_folder_says_so(x, tmp_path):
    name = f"vae-{cache.cache_key(_tiny_vae(), x, {'epochs': 1})}.pt"
    (tmp_path / name).mkdir()
    with pytest.raises(IsADirectoryError, match=f"{name} is a folder where the checkpoint file should go"):
        vt.cached_fit(_tiny_vae(), x, 1, directory=tmp_path, progress=False)


def test_a_failed_save_returns_the_trained_model_with_a_warning(x, tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache, "save_model", disk_full)
    model = _tiny_vae()
    with pytest.warns(UserWarning, match="could not save .*No space left.*returned, but not cached"):
        history = vt.cached_fit(model, x[:64], 2, directory=tmp_path, progress=False)
    assert history.epochs == 2 and int(model.epochs_trained) == 2


def test_cached_fit_refuses_an_unseeded_training(x, tmp_path):
    with pytest.raises(ValueError, match="seed as an int"):
        vt.cached_fit(_tiny_vae(), x, 1, directory=tmp_path, seed=None)


def test_a_cache_hit_loads_from_a_folder_it_cannot_write(x, tmp_path, monkeypatch):
    vt.cached_fit(_tiny_vae(), x[:64], 1, directory=tmp_path, progress=False)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache.tempfile, "TemporaryFile", refuse)  # a classroom's read-only shared cache
    monkeypatch.setattr(cache, "fit", lambda *a, **k: pytest.fail("retrained on a cache hit"))
    assert vt.cached_fit(_tiny_vae(), x[:64], 1, directory=tmp_path, progress=False).epochs == 1


@pytest.fixture
def shared_read_only_cache(tmp_path, monkeypatch):
    """A classroom's cache: $VAE_TEACH_CACHE at a folder this user may read but not write (as a
    non-root student sees it: os.access says no), a home of its own, and every attempt to open a
    file for writing inside the shared folder recorded (and refused)."""
    import os
    shared, home = tmp_path / "shared", tmp_path / "home"
    shared.mkdir()
    home.mkdir()
    monkeypatch.setenv(cache.CACHE_ENV_VAR, str(shared))
    monkeypatch.setenv("HOME", str(home))
    real_access, real_open = os.access, os.open
    writes: list[str] = []

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and os.path.realpath(path).startswith(str(shared)):
            return False
        return real_access(path, mode, *args, **kwargs)

    def open_(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and os.path.realpath(path).startswith(str(shared)):
            writes.append(str(path))
            raise PermissionError(13, "read-only shared cache", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", open_)
    return shared, home / ".cache" / "vae_teach" / "models", writes


def test_a_shared_read_only_cache_is_read_without_writing_and_a_missing_model_trains_into_ones_own(
        x, tmp_path, shared_read_only_cache, monkeypatch):
    shared, own, writes = shared_read_only_cache
    # the instructor trained one model into the shared folder beforehand
    trained = _tiny_vae()
    history = vt.fit(trained, x, epochs=2, progress=False)
    key = cache.cache_key(trained, x, {"epochs": 2, "progress": False})
    vt.save_model(trained, own.parent.parent.parent / "instructor.pt", history)  # written outside, then moved in
    (own.parent.parent.parent / "instructor.pt").rename(shared / f"vae-{key}.pt")

    hit = _tiny_vae()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a hit in the shared folder is silent
        vt.cached_fit(hit, x, epochs=2, progress=False)
    assert all(torch.equal(p, q) for p, q in zip(trained.parameters(), hit.parameters()))

    missing = _tiny_vae(latent_dim=4)
    with pytest.warns(UserWarning, match=r"not in the shared, read-only cache .*your own cache, .* holds or trains it"):
        vt.cached_fit(missing, x, epochs=2, progress=False)
    assert [p.name for p in own.iterdir()] == [f"vae-{cache.cache_key(missing, x, {'epochs': 2, 'progress': False})}.pt"]
    assert writes == [] and sorted(p.name for p in shared.iterdir()) == [f"vae-{key}.pt"]

    again = _tiny_vae(latent_dim=4)  # the next session finds it in the user's own cache
    monkeypatch.setattr(cache, "fit", lambda *a, **k: pytest.fail("retrained a model the user's cache holds"))
    with pytest.warns(UserWarning, match="your own cache, .* holds or trains it"):
        vt.cached_fit(again, x, epochs=2, progress=False)
    assert all(torch.equal(p, q) for p, q in zip(missing.parameters(), again.parameters()))
