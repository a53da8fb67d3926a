"""scikit-learn's 8x8 digits as 28x28 MNIST-like images: checked against PIL's bilinear resize."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from sklearn.datasets import load_digits

from vae_teach.data.digits import load_sklearn_digits, upsample_digits


@pytest.fixture(scope="module")
def loaded():
    return load_sklearn_digits()


def test_shapes_range_and_labels_are_sklearns(loaded):
    images, labels = loaded
    bunch = load_digits()
    assert images.shape == (1797, 1, 28, 28) and images.dtype == torch.float32
    assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0
    assert torch.equal(labels, torch.as_tensor(bunch.target))


def test_a_4_pixel_blank_border_around_a_20x20_box(loaded):
    images, _ = loaded
    inner = torch.zeros(28, 28, dtype=torch.bool)
    inner[4:24, 4:24] = True
    assert float(images[:, 0][:, ~inner].abs().max()) == 0.0
    assert float(images[:, 0, 4:24, 4:24].amax(dim=(1, 2)).min()) > 0.5  # every digit has ink in the box


def test_the_box_is_pils_bilinear_resize_of_the_8x8_image():
    # PIL's bilinear filter on an upscale uses half-pixel centres and clamps at the edges, as
    # torch's interpolate(align_corners=False) does: an independent implementation.
    pixels = load_digits().images[:20]
    got = upsample_digits(pixels)[:, 0, 4:24, 4:24]
    for image, ours in zip(pixels, got):
        expected = np.asarray(Image.fromarray((image / 16.0).astype(np.float32), mode="F")
                              .resize((20, 20), Image.BILINEAR))
        np.testing.assert_allclose(ours.numpy(), expected, atol=1e-5)


def test_flat_rows_of_64_are_accepted():
    pixels = load_digits().data[:3]
    assert torch.equal(upsample_digits(pixels), upsample_digits(pixels.reshape(3, 8, 8)))


@pytest.mark.parametrize("pixels, message", [
    (np.zeros((2, 28, 28)), r"expected 8x8 images of shape \(N, 8, 8\) or \(N, 64\); got \(2, 28, 28\)"),
    (np.full((2, 8, 8), 255.0), r"expected values in \[0, 16\]"),
])
def test_bad_inputs_are_refused(pixels, message):
    with pytest.raises(ValueError, match=message):
        upsample_digits(pixels)
