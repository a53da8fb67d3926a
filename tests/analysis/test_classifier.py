"""Judging decoded images with the digit classifier: the summary numbers against hand-counted ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import vae_teach as vt


class FixedJudge:
    """A classifier whose probabilities are given: the verdicts can be counted by hand."""

    def __init__(self, probabilities):
        self.table = torch.tensor(probabilities)

    def probabilities(self, images):
        return self.table[: len(images)]

    def predict(self, images):
        return self.probabilities(images).argmax(dim=1)


def _row(digit, p):
    row = [(1 - p) / 9] * 10
    row[digit] = p
    return row


def test_judge_digits_counts_by_hand():
    judge = FixedJudge([_row(3, 0.95), _row(3, 0.5), _row(7, 0.99), _row(1, 0.9)])
    verdict = vt.judge_digits(judge, torch.rand(4, 1, 28, 28))
    assert verdict["confidence"] == pytest.approx((0.95 + 0.5 + 0.99 + 0.9) / 4)
    assert verdict["digit_like"] == pytest.approx(3 / 4)  # 0.9 counts: the threshold is "at least"
    np.testing.assert_array_equal(verdict["classes"], [0, 1, 0, 2, 0, 0, 0, 1, 0, 0])
    np.testing.assert_array_equal(verdict["predicted"].numpy(), [3, 3, 7, 1])


def test_judge_digits_refuses_what_is_not_the_classifier():
    with pytest.raises(TypeError, match=r"expected the digit classifier \(vt.digit_classifier\(\)\); got str"):
        vt.judge_digits("knn", torch.rand(2, 1, 28, 28))
    with pytest.raises(ValueError, match=r"expected threshold in \(0, 1\]; got 1.5"):
        vt.judge_digits(FixedJudge([_row(0, 1.0)]), torch.rand(1, 1, 28, 28), threshold=1.5)


def test_arithmetic_success_takes_the_digit_classifier():
    class ConstantModel(torch.nn.Module):
        """Codes are the first two pixels; decoding paints every image white (a 'digit 7' by the judge)."""

        is_variational = False

        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        device = torch.device("cpu")

        def codes_flat(self, x_flat, y=None):
            return x_flat[:, :2]

        def decode(self, z, y=None):
            return torch.ones(len(z), 1, 28, 28) * (z[:, :1, None, None] > 5).float()

    class BrightIsSeven(FixedJudge):
        def __init__(self):
            pass

        def probabilities(self, images):
            bright = images.reshape(len(images), -1).mean(dim=1) > 0.5
            return torch.stack([torch.tensor(_row(7 if b else 1, 0.99)) for b in bright])

    images = torch.zeros(4, 1, 28, 28)
    images.view(4, -1)[2:, 0] = 1.0  # the two 7s have code (1, 0); the 1s code (0, 0)
    labels = torch.tensor([1, 1, 7, 7])
    shares = vt.arithmetic_success(ConstantModel(), images, labels, source=1, target=7, amounts=[0.0, 6.0],
                                   classifier=BrightIsSeven())
    np.testing.assert_array_equal(shares, [0.0, 1.0])
