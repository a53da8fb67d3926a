import numpy as np
import pytest
import scipy.linalg
import torch
from sklearn.decomposition import PCA as SkPCA

import vae_teach as vt


@pytest.fixture(autouse=True)
def one_thread():
    """Small problems: extra BLAS / torch threads only slow them down on a shared 2-core machine."""
    from threadpoolctl import threadpool_limits

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        yield
    torch.set_num_threads(threads)


def _images(n=300, seed=0):
    g = torch.Generator().manual_seed(seed)
    # Low-rank structure plus noise, so that the top components are well separated.
    basis = torch.rand(6, 784, generator=g)
    weights = torch.rand(n, 6, generator=g)
    x = weights @ basis / 6 + 0.05 * torch.rand(n, 784, generator=g)
    return x.clamp(0, 1).reshape(n, 1, 28, 28)


def test_fit_pca_matches_sklearn_subspace_and_variance():
    x = _images()
    ours = vt.fit_pca(x, 5)
    theirs = SkPCA(n_components=5, svd_solver="full").fit(x.flatten(1).double().numpy())
    angles = scipy.linalg.subspace_angles(ours.components.double().numpy().T, theirs.components_.T)
    assert np.degrees(angles).max() < 1e-3
    assert np.allclose(ours.explained_variance.numpy(), theirs.explained_variance_, rtol=1e-4)
    assert ours.total_variance == pytest.approx(float(theirs.explained_variance_.sum()
                                                      / theirs.explained_variance_ratio_.sum()), rel=1e-4)


def test_pca_reconstruct_unclipped_matches_sklearn_round_trip():
    x = _images()
    flat = x.flatten(1).double().numpy()
    theirs = SkPCA(n_components=4, svd_solver="full").fit(flat)
    expected = theirs.inverse_transform(theirs.transform(flat))
    ours = vt.pca_reconstruct(vt.fit_pca(x, 4), x, clip=False).flatten(1).numpy()
    assert np.allclose(ours, expected, atol=1e-5)


def test_pca_reconstruct_clips_to_unit_range_by_default():
    x = _images()
    out = vt.pca_reconstruct(vt.fit_pca(x, 2), x)
    assert out.shape == x.shape and float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def test_fit_pca_refuses_more_components_than_images():
    with pytest.raises(ValueError, match="k <= min"):
        vt.fit_pca(_images(n=10), 11)


def test_principal_angles_match_scipy():
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(50, 4, generator=g), torch.randn(50, 4, generator=g)
    expected = np.sort(np.degrees(scipy.linalg.subspace_angles(a.double().numpy(), b.double().numpy())))
    assert np.allclose(vt.principal_angles(a, b).numpy(), expected, atol=1e-4)


def test_principal_angles_resolve_a_tiny_known_rotation():
    # span{e1, e2} against span{e1, cos t e2 + sin t e3}: angles 0 and t.
    t = 1e-5
    a = torch.eye(6, dtype=torch.float64)[:, :2]
    b = torch.stack([torch.eye(6, dtype=torch.float64)[:, 0],
                     np.cos(t) * torch.eye(6, dtype=torch.float64)[:, 1]
                     + np.sin(t) * torch.eye(6, dtype=torch.float64)[:, 2]], dim=1)
    angles = vt.principal_angles(a, b).double()
    assert angles[0] == pytest.approx(0.0, abs=1e-7)
    assert angles[1] == pytest.approx(np.degrees(t), rel=1e-3)


def test_principal_angles_ignore_the_basis_chosen():
    g = torch.Generator().manual_seed(2)
    a = torch.randn(30, 3, generator=g)
    mix = torch.randn(3, 3, generator=g)  # any invertible mix spans the same subspace
    assert float(vt.principal_angles(a, a @ mix).max()) < 1e-3


def test_decoder_basis_refuses_a_nonlinear_autoencoder():
    with pytest.raises(ValueError, match="linear autoencoder"):
        vt.decoder_basis(vt.Autoencoder(latent_dim=2, hidden_dims=(16,)))


def test_linear_autoencoder_learns_the_pca_subspace(tmp_path):
    x = vt.load_mnist().train_x[:500]
    ae = vt.Autoencoder(latent_dim=2, hidden_dims=(), likelihood="gaussian", seed=0)
    vt.fit_in_phases(ae, x, [dict(epochs=30, lr=1e-2), dict(epochs=20, lr=1e-3)],
                     directory=tmp_path, progress=False, batch_size=25)
    angles = vt.principal_angles(vt.decoder_basis(ae), vt.fit_pca(x, 2).components.T)
    assert float(angles.max()) < 5.0


def test_truncate_pca_equals_a_fresh_fit_with_fewer_components():
    x = _images()
    small, cut = vt.fit_pca(x, 3), vt.truncate_pca(vt.fit_pca(x, 5), 3)
    assert torch.allclose(small.components, cut.components, atol=1e-5)
    assert torch.allclose(small.explained_variance, cut.explained_variance, rtol=1e-5)
    with pytest.raises(ValueError, match="k <= 5"):
        vt.truncate_pca(vt.fit_pca(x, 5), 6)
