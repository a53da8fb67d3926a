"""The evaluation cache: a repeated call loads, anything that changes the result recomputes."""

import warnings

import pytest
import torch

import vae_teach as vt
from vae_teach.analysis.eval_cache import cached_evaluation, model_fingerprint
from vae_teach.analysis.evaluation import LogWeights, importance_log_weights


def noisy_score(model, x, scale=1.0):
    """A random result: equal values on a second call prove it was loaded, not recomputed."""
    return scale * torch.rand(x.shape[0]) + float(model.decoder[0].bias.detach().sum())


@pytest.fixture()
def model_and_images():
    return vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0), torch.rand(4, 1, 28, 28)


def test_a_second_identical_call_loads_the_first_result(tmp_path, model_and_images):
    model, x = model_and_images
    first = cached_evaluation(noisy_score, model, x, directory=tmp_path)
    again = cached_evaluation(noisy_score, model, x, directory=tmp_path)
    assert torch.equal(first, again)
    assert len(list(tmp_path.glob("noisy_score-*.pt"))) == 1


def test_other_weights_other_images_or_other_arguments_recompute(tmp_path, model_and_images):
    model, x = model_and_images
    first = cached_evaluation(noisy_score, model, x, directory=tmp_path)
    assert not torch.equal(first, cached_evaluation(noisy_score, model, x, scale=2.0, directory=tmp_path))
    assert not torch.equal(first, cached_evaluation(noisy_score, model, x.flip(0), directory=tmp_path))
    changed = vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0)
    with torch.no_grad():
        changed.decoder[0].weight.add_(1e-3)
    assert model_fingerprint(changed) != model_fingerprint(model)
    assert not torch.equal(first, cached_evaluation(noisy_score, changed, x, directory=tmp_path))
    assert len(list(tmp_path.glob("*.pt"))) == 4


def test_a_named_tuple_comes_back_as_its_class(tmp_path, model_and_images):
    model, x = model_and_images
    computed = cached_evaluation(importance_log_weights, model, x, k=8, seed=0, directory=tmp_path)
    loaded = cached_evaluation(importance_log_weights, model, x, k=8, seed=0, directory=tmp_path)
    assert isinstance(loaded, LogWeights) and torch.equal(loaded.log_w, computed.log_w)
    assert loaded.seconds == computed.seconds  # the time it took when it was computed


def test_a_corrupt_file_is_recomputed_with_a_warning(tmp_path, model_and_images):
    model, x = model_and_images
    cached_evaluation(noisy_score, model, x, directory=tmp_path)
    (path,) = tmp_path.glob("noisy_score-*.pt")
    path.write_bytes(b"not a torch file")
    with pytest.warns(UserWarning, match="cannot read"):
        result = cached_evaluation(noisy_score, model, x, directory=tmp_path)
    assert result.shape == (4,)


def test_a_folder_that_cannot_be_written_costs_only_the_recomputation(tmp_path, model_and_images):
    model, x = model_and_images
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    with pytest.warns(UserWarning, match="could not save"):
        result = cached_evaluation(noisy_score, model, x, directory=blocker / "evaluations")
    assert result.shape == (4,)


def test_results_it_cannot_store_are_refused(tmp_path, model_and_images):
    model, x = model_and_images
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="tensor, a number or a tuple"):
            cached_evaluation(lambda m, images: {"a": 1}, model, x, directory=tmp_path)
