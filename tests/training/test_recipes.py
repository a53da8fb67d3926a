"""The named models: each recipe trains exactly what the chapters trained by hand, under the same cache key."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import torch

import vae_teach as vt
from vae_teach.tools import models as models_tool
from vae_teach.training import cache, recipes

BOOK = Path(__file__).resolve().parents[2] / "book"


@pytest.fixture(scope="module")
def data():
    return vt.load_mnist()


@pytest.fixture
def cache_paths(monkeypatch):
    """Record the cache file each training would use, and train nothing."""
    paths: list[Path] = []

    def record(model, path, train):
        paths.append(path)
        return vt.History()

    monkeypatch.setattr(cache, "_load_or_train", record)
    return paths


# The calls the chapters made by hand before the registry (commit a2c4b03): the recipe of each
# name must land on the same cache file, so the book keeps its weights and its glued numbers.
def _sweep_ae(k):
    return lambda d: vt.cached_fit(vt.Autoencoder(latent_dim=k, hidden_dims=(256,), likelihood="gaussian", seed=0),
                                   d.train_x, epochs=30, lr=3e-3, seed=0, test_x=d.test_x)


def _vae(dim):
    return lambda d: vt.cached_fit(vt.VAE(latent_dim=dim, seed=0), d.train_x, epochs=40, seed=0, test_x=d.test_x)


def _explorer(model):
    return lambda d: vt.cached_fit(model, d.train_x, epochs=60, test_x=d.test_x)


HAND_WRITTEN = {
    **{f"ae-{k}d": _sweep_ae(k) for k in (2, 4, 8, 16, 64)},
    "ae-32d": lambda d: vt.cached_fit(vt.Autoencoder(latent_dim=32, hidden_dims=(256,), likelihood="gaussian"),
                                      d.train_x, epochs=30, lr=3e-3, seed=0, test_x=d.test_x),
    "linear-ae-16d": lambda d: vt.fit_in_phases(
        vt.Autoencoder(latent_dim=16, hidden_dims=(), likelihood="gaussian"), d.train_x,
        [dict(epochs=15, lr=1e-2, batch_size=32), dict(epochs=15, lr=1e-3, batch_size=256),
         dict(epochs=10, lr=1e-4, batch_size=500)], seed=0),
    **{f"vae-{dim}d": _vae(dim) for dim in (2, 10, 20, 50)},
    "ae-2d-h200": _explorer(vt.Autoencoder(latent_dim=2, hidden_dims=(200,), seed=0)),
    "vae-2d-h200": _explorer(vt.VAE(latent_dim=2, hidden_dims=(200,), seed=0)),
    "vae-16d-h200": _explorer(vt.VAE(latent_dim=16, hidden_dims=(200,), seed=0)),
    "digit-classifier": lambda d: vt.cached_fit(vt.DigitClassifier(hidden_dims=(256,), seed=0), d.train_x,
                                                epochs=20, lr=2e-3, seed=0, y=d.train_y, test_x=d.test_x,
                                                test_y=d.test_y),
}


def test_every_hand_written_original_has_its_recipe():
    # Recipes added with the registry in place (chapters 6-8) have no hand-written original;
    # their printed code is held to them below.
    assert set(HAND_WRITTEN) <= set(vt.RECIPES)


@pytest.mark.parametrize("name", list(HAND_WRITTEN))
def test_a_recipe_uses_the_cache_file_of_the_chapters_hand_written_call(name, data, cache_paths):
    HAND_WRITTEN[name](data)
    vt.pretrained(name, data)
    before, now = cache_paths
    assert now == before, f"{name}: the recipe would train a new model instead of the chapters' one"


@pytest.mark.parametrize("name", list(vt.RECIPES))
def test_the_printed_code_of_a_recipe_is_the_recipe(name, data, cache_paths):
    exec(vt.recipe(name).code(), {"vt": vt, "functools": functools, "data": data})
    vt.pretrained(name, data)
    printed, recipe = cache_paths
    assert printed == recipe


def test_digit_classifier_is_the_registered_recipe(data, cache_paths):
    vt.digit_classifier(data)
    vt.pretrained("digit-classifier", data)
    helper, registered = cache_paths
    assert helper == registered


def test_the_bottleneck_sweep_trains_the_registered_autoencoders(data, cache_paths):
    vt.bottleneck_sweep(data.train_x, data.test_x, ks=(2,))
    vt.pretrained("ae-2d", data)
    swept, registered = cache_paths
    assert swept == registered


def test_recipes_build_the_same_initial_weights_every_time():
    first, second = vt.recipe("vae-2d").build(), vt.recipe("vae-2d").build()
    assert all(torch.equal(p, q) for p, q in zip(first.parameters(), second.parameters()))


def test_a_recipe_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        vt.recipe("vae-2d").fit["epochs"] = 1  # type: ignore[index]
    with pytest.raises(AttributeError):
        vt.recipe("vae-2d").name = "other"  # type: ignore[misc]


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"expected a model name from vt.RECIPES \(ae-2d, .*vae-2d.*; got 'vae2d'"):
        vt.pretrained("vae2d")


def test_data_must_be_image_data(data):
    with pytest.raises(TypeError, match="expected data as an ImageData"):
        vt.pretrained("vae-2d", data.train_x)


def test_a_recipe_trains_once_and_then_loads(data, tmp_path, monkeypatch):
    tiny = vt.Recipe("tiny", "a 2-D VAE with 8 hidden units, 1 epoch", vt.VAE,
                     dict(latent_dim=2, hidden_dims=(8,)), dict(epochs=1, progress=False))
    x, test_x = data.train_x[:200], data.test_x[:50]
    model, history = tiny.train(x, test_x, directory=tmp_path)
    assert history.epochs == 1 and len(history.test_loss) == 1 and not model.training
    monkeypatch.setattr(cache, "fit", lambda *a, **k: pytest.fail("retrained a cached recipe"))
    again, cached = tiny.train(x, test_x, directory=tmp_path)
    assert cached.loss == history.loss
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), again.parameters()))


def test_recipes_name_chapters_that_exist():
    stems = {path.stem for path in BOOK.glob("[0-9][0-9]_*.md")}
    for recipe in vt.RECIPES.values():
        assert recipe.chapters and set(recipe.chapters) <= stems, (recipe.name, recipe.chapters)


def test_recipe_names_match_their_keys():
    assert all(name == r.name for name, r in recipes.RECIPES.items())


def test_the_models_tool_lists_every_recipe(capsys):
    assert models_tool.main(["--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in vt.RECIPES)


def test_the_models_tool_refuses_an_unknown_name(capsys):
    assert models_tool.main(["vae-3d"]) == 2
    assert "unknown model name(s): vae-3d" in capsys.readouterr().err


def test_the_models_tool_trains_the_named_recipes(monkeypatch, capsys):
    trained = []
    monkeypatch.setattr(models_tool, "pretrained",
                        lambda name, data: trained.append(name) or (None, vt.History(loss=[1.0])))
    assert models_tool.main(["vae-2d", "ae-2d"]) == 0
    assert trained == ["vae-2d", "ae-2d"]


def test_a_printed_recipe_fits_a_code_output_of_the_book():
    # A code output in the built book shows about 80 characters at 1280 px before it scrolls.
    for recipe in vt.RECIPES.values():
        long = [line for line in str(recipe).splitlines() if len(line) > 80]
        assert not long, f"{recipe.name}: lines over 80 characters: {long}"


def test_a_held_out_recipe_never_trains_on_its_digit(data, tmp_path, monkeypatch):
    seen = {}

    def spy(model, train_x, *args, **kwargs):
        seen["train_x"], seen["test_x"] = train_x, kwargs.get("test_x")
        return vt.History()

    monkeypatch.setattr(cache, "fit", spy)
    digit = recipes.HELD_OUT_DIGIT
    vt.pretrained(f"vae-20d-no{digit}", data, directory=tmp_path)
    kept = data.train_y != digit
    assert seen["train_x"].shape[0] == int(kept.sum()) < data.train_x.shape[0]
    assert torch.equal(seen["train_x"], data.train_x[kept]) and seen["test_x"] is None
    assert f"data.train_x[data.train_y != {digit}]" in vt.recipe(f"vae-20d-no{digit}").code()
