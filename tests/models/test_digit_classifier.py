"""The fixed digit classifier: its arithmetic against numpy, its training, its boundary."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import vae_teach as vt


def _numpy_logits(model: vt.DigitClassifier, x: np.ndarray) -> np.ndarray:
    """The MLP written out in numpy from the weights: the oracle for forward."""
    weights = {k: v.numpy().astype(np.float64) for k, v in model.state_dict().items() if k.startswith("net")}
    hidden = np.maximum(x @ weights["net.0.weight"].T + weights["net.0.bias"], 0.0)
    return hidden @ weights["net.2.weight"].T + weights["net.2.bias"]


@pytest.fixture
def images():
    return torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(1))


def test_probabilities_and_predictions_follow_the_numpy_mlp(images):
    model = vt.DigitClassifier(hidden_dims=(32,), seed=3)
    logits = _numpy_logits(model, images.reshape(6, -1).numpy().astype(np.float64))
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    got = model.probabilities(images).numpy()
    assert got.shape == (6, 10)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(model.predict(images).numpy(), expected.argmax(axis=1))


def test_the_loss_is_the_cross_entropy_in_nats(images):
    model = vt.DigitClassifier(hidden_dims=(32,), seed=3)
    y = torch.tensor([0, 1, 2, 3, 9, 5])
    logits = _numpy_logits(model, images.reshape(6, -1).numpy().astype(np.float64))
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -log_softmax[np.arange(6), y.numpy()]
    parts = model.loss_parts(images, y)
    np.testing.assert_allclose(parts.loss.detach().numpy(), expected, rtol=1e-4)
    assert torch.equal(parts.loss, parts.recon) and not parts.kl.any()


def test_fit_teaches_it_a_separable_problem():
    # Three "digits": a bright 7x7 block in one of three places, on faint noise.
    g = torch.Generator().manual_seed(0)
    y = torch.arange(300) % 3
    x = 0.1 * torch.rand(300, 1, 28, 28, generator=g)
    for label, (row, col) in enumerate([(2, 2), (2, 19), (19, 10)]):
        x[y == label, :, row:row + 7, col:col + 7] = 1.0
    model = vt.DigitClassifier(hidden_dims=(16,), seed=0)
    history = vt.fit(model, x[:240], epochs=10, lr=3e-3, batch_size=32, warmup_steps=0, y=y[:240], progress=False)
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert torch.equal(model.predict(x[240:]), y[240:])


def test_save_and_load_give_the_same_classifier(tmp_path, images):
    model = vt.DigitClassifier(hidden_dims=(8,), seed=5)
    vt.save_model(model, tmp_path / "judge.pt")
    again, _ = vt.load_model(tmp_path / "judge.pt")
    assert isinstance(again, vt.DigitClassifier) and again.config() == model.config()
    assert torch.equal(again.probabilities(images), model.probabilities(images))


@pytest.mark.parametrize("labels, message", [
    (torch.tensor([0, 1, 10]), r"expected y in 0\.\.9; got values from 0 to 10"),
    (torch.tensor([0.0, 1.0, 2.0]), r"expected y as integer digit labels of shape \(3,\); got shape \(3,\), "
                                    r"dtype torch.float32"),
    (None, r"expected y as integer digit labels of shape \(3,\); got NoneType"),
])
def test_training_labels_are_checked(labels, message):
    with pytest.raises(ValueError, match=message):
        vt.fit(vt.DigitClassifier(hidden_dims=(8,)), torch.rand(3, 1, 28, 28), epochs=1, y=labels, progress=False)


def test_images_are_checked():
    with pytest.raises(ValueError, match=r"expected images as float images"):
        vt.DigitClassifier(hidden_dims=(8,)).predict(torch.rand(2, 1, 28, 28) * 255)


def test_hidden_dims_are_checked():
    with pytest.raises(ValueError, match=r"expected hidden_dims as positive layer sizes; got \(0,\)"):
        vt.DigitClassifier(hidden_dims=(0,))
