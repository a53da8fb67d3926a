"""Chapter 1's checks: the book's answers pass; each common mistake, written as a student would, gets
the hint that names it (not a generic one quoting sizes of inputs the student never saw)."""

from __future__ import annotations

import pytest

from vae_teach import exercises as ex


def flatten(images):
    return images.reshape(len(images), -1)


def to_unit(pixels):
    return pixels.float() / 255.0


def ink(images):
    return images.mean(dim=(1, 2, 3))


@pytest.mark.parametrize("check, solution", [
    (ex.check_flatten, flatten), (ex.check_flatten, lambda x: x.flatten(1)),
    (ex.check_flatten, lambda x: x.view(-1, 28 * 28)),
    (ex.check_to_unit, to_unit), (ex.check_to_unit, lambda p: p / 255),
    (ex.check_ink, ink), (ex.check_ink, lambda x: x.flatten(1).mean(1)),
])
def test_a_right_answer_passes(passes, check, solution):
    passes(check, solution)


@pytest.mark.parametrize("wrong, words", [
    (lambda x: x.transpose(2, 3).reshape(len(x), -1), "column by column"),
    (lambda x: x.reshape(-1), "whole batch into one long vector"),
    (lambda x: x.flatten(), "whole batch into one long vector"),
    (lambda x: x.reshape(784, -1), "one column per image"),
    (lambda x: x.flatten(1).T, "one column per image"),
    (lambda x: x.squeeze(1), "still 28 x 28 grids"),
    (lambda x: x.flatten(2), "channel dimension is still there"),
    (lambda x: x.flatten(1) / 255, "already in [0, 1]"),
], ids=["transposed", "reshape(-1)", "flatten()", "reshape(784,-1)", "flatten(1).T", "squeeze",
        "flatten(2)", "divided by 255"])
def test_flatten_mistakes_are_named(hint_for, wrong, words):
    assert words in hint_for(ex.check_flatten, wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda p: p.float(), "still run from 0 to 255"),
    (lambda p: p.float() / 256, "not by 256"),
    (lambda p: p.double() / 255, "dtype float64; expected float32"),
    (lambda p: p // 255, "integer arithmetic loses the fractions"),
    (lambda p: 1 - p.float() / 255, "inverted"),
    (lambda p: p.float() / 127.5 - 1, "run from -1 to 1"),
    (lambda p: (p.float() - p.float().mean()) / p.float().std(), "you standardised the pixels"),
    (lambda p: (p.float() / 255 - 0.1307) / 0.3081, "MNIST's mean and std"),
    (lambda p: p.float() / p.max(), "largest pixel of the batch"),
    (lambda p: (p.float() - p.min()) / (p.max() - p.min()), "min-max"),
], ids=["no division", "by 256", "float64", "integer division", "inverted", "[-1, 1]",
        "standardised", "MNIST statistics", "by the batch max", "min-max"])
def test_to_unit_mistakes_are_named(hint_for, wrong, words):
    assert words in hint_for(ex.check_to_unit, wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda x: x.sum(dim=(1, 2, 3)), "sum of the pixels"),
    (lambda x: x.mean(), "one number for the whole batch"),
    (lambda x: x.mean(dim=0), "averaged over the images (dim=0)"),
    (lambda x: x.flatten(1).mean(0), "averaged over the images (dim=0)"),
    (lambda x: x.mean(dim=(2, 3)), "average over the channel too"),
    (lambda x: x.mean(dim=1), "averaged over the channel only"),
    (lambda x: x.mean(dim=(1, 2, 3), keepdim=True), "keepdim=True"),
], ids=["sum", "mean()", "mean(dim=0)", "mean over the batch, flat", "mean(dim=(2, 3))", "mean(dim=1)",
        "keepdim"])
def test_ink_mistakes_are_named(hint_for, wrong, words):
    assert words in hint_for(ex.check_ink, wrong)
