import pytest
import torch

import vae_teach as vt
from vae_teach.data import stats as data_stats


def test_split_summary_of_the_shipped_subset_is_balanced_4000_1000():
    rows = {r["split"]: r for r in data_stats.split_summary(vt.load_mnist())}
    assert rows["train"]["images"] == 4000 and rows["test"]["images"] == 1000
    assert rows["train"]["per class, fewest"] == rows["train"]["per class, most"] == 400
    assert rows["test"]["share of all images"] == pytest.approx(0.2)


def test_pixel_stats_on_a_known_image():
    x = torch.zeros(2, 1, 28, 28)
    x[0, 0, 0, :4] = torch.tensor([1.0, 0.98, 0.5, 0.25])  # two full-ink, two grey pixels
    x[1, 0, 5, 5] = 0.97                                    # grey: just below full ink
    stats = data_stats.pixel_stats(x)
    assert stats["min"] == 0.0 and stats["max"] == 1.0
    assert stats["mean"] == pytest.approx((2.73 + 0.97) / 1568)
    assert stats["zero_share"] == pytest.approx(1563 / 1568)
    assert stats["grey_share"] == pytest.approx(3 / 1568)
    assert stats["full_share"] == pytest.approx(2 / 1568)
    assert stats["grey_share_of_ink"] == pytest.approx(3 / 5)
    assert stats["ink_pixels"] == pytest.approx(2.5)  # 4 and 1 non-zero pixels


def test_pixel_stats_threshold_moves_pixels_between_grey_and_full():
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 0, :3] = torch.tensor([1.0, 0.9, 0.5])
    assert data_stats.pixel_stats(x, full_ink=0.9)["full_share"] == pytest.approx(2 / 784)
    assert data_stats.pixel_stats(x, full_ink=1.0)["grey_share"] == pytest.approx(2 / 784)
    with pytest.raises(ValueError, match=r"full_ink in \(0, 1\]; got 0"):
        data_stats.pixel_stats(x, full_ink=0)


def test_pixel_stats_of_images_without_ink():
    stats = data_stats.pixel_stats(torch.zeros(3, 1, 28, 28))
    assert stats["zero_share"] == 1.0 and stats["grey_share_of_ink"] == 0.0 and stats["ink_pixels"] == 0.0


def test_mean_images_per_class_average_their_members_only():
    x = torch.stack([torch.full((1, 28, 28), v) for v in (0.2, 0.4, 1.0)])
    y = torch.tensor([0, 0, 1])
    means = data_stats.mean_images(x, y, n_classes=2)
    assert means.shape == (2, 1, 28, 28)
    assert torch.allclose(means[0], torch.full((1, 28, 28), 0.3)) and torch.allclose(means[1], x[2])
    assert torch.allclose(data_stats.mean_images(x)[0], x.mean(0))


def test_mean_images_refuses_a_class_without_images():
    with pytest.raises(ValueError, match="class 1"):
        data_stats.mean_images(torch.rand(2, 1, 28, 28), torch.tensor([0, 0]), n_classes=2)


def test_nonzero_share_by_class_counts_lit_pixels():
    x = torch.zeros(2, 1, 28, 28)
    x[1, 0, :14] = 0.1  # half the pixels of image 1 are lit
    assert torch.allclose(data_stats.nonzero_share_by_class(x, torch.tensor([0, 1]), n_classes=2),
                          torch.tensor([0.0, 0.5]))


def test_labels_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        data_stats.nonzero_share_by_class(torch.rand(3, 1, 28, 28), torch.tensor([0, 1]))


def test_memory_bytes_of_full_mnist_in_float32():
    assert data_stats.memory_bytes(60_000) == 60_000 * 784 * 4
    assert data_stats.memory_bytes(10, torch.uint8) == 7840


def test_exact_overlap_counts_shared_images_only():
    a = torch.rand(5, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    b = torch.cat([a[:2], torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(1))])
    assert data_stats.exact_overlap(a, b) == 2


def test_the_subset_split_shares_no_image_between_train_and_test():
    data = vt.load_mnist()
    assert data_stats.exact_overlap(data.train_x, data.test_x) == 0
