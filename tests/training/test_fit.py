import os
import re
import signal

import pytest
import torch

import vae_teach as vt


@pytest.fixture(scope="module")
def data():
    return vt.load_mnist()


def test_training_lowers_the_vae_loss(data):
    vae = vt.VAE(latent_dim=8, hidden_dims=(64,))
    before = vt.evaluate(vae, data.test_x)["loss"]
    history = vt.fit(vae, data.train_x[:1000], epochs=3, test_x=data.test_x[:200], progress=False)
    assert history.test_loss[-1] < before
    assert history.loss[-1] < history.loss[0]


def test_history_records_every_epoch_and_terms_add_up(data):
    vae = vt.VAE(latent_dim=4, hidden_dims=(32,))
    history = vt.fit(vae, data.train_x[:500], epochs=2, beta=0.5, test_x=data.test_x[:100], progress=False)
    assert history.epochs == 2 and len(history.test_kl) == 2 and len(history.seconds) == 2
    for loss, recon, kl in zip(history.loss, history.recon, history.kl):
        assert loss == pytest.approx(recon + 0.5 * kl, rel=1e-6)
    assert all(kl > 0 for kl in history.kl)


def test_autoencoder_history_has_zero_kl(data):
    history = vt.fit(vt.Autoencoder(latent_dim=2, hidden_dims=(32,)), data.train_x[:300], epochs=1,
                     progress=False)
    assert history.kl == [0.0] and history.loss == history.recon


def test_same_seed_gives_the_same_model_on_cpu(data):
    models = [vt.VAE(latent_dim=4, hidden_dims=(32,), seed=1) for _ in range(2)]
    histories = [vt.fit(m, data.train_x[:400], epochs=2, seed=3, progress=False, device="cpu") for m in models]
    assert histories[0].loss == histories[1].loss
    assert all(torch.equal(p, q) for p, q in zip(models[0].parameters(), models[1].parameters()))


def test_different_seeds_give_different_models(data):
    a, b = vt.VAE(latent_dim=4, hidden_dims=(32,)), vt.VAE(latent_dim=4, hidden_dims=(32,))
    vt.fit(a, data.train_x[:400], epochs=1, seed=0, progress=False)
    vt.fit(b, data.train_x[:400], epochs=1, seed=1, progress=False)
    assert not torch.equal(a.decoder[0].weight, b.decoder[0].weight)


def test_corruption_is_applied_to_inputs_only(data):
    seen = []

    def zero_out(x, generator):
        seen.append(x.shape)
        return torch.zeros_like(x)

    ae = vt.Autoencoder(latent_dim=2, hidden_dims=(16,))
    vt.fit(ae, data.train_x[:256], epochs=1, batch_size=128, corrupt=zero_out, progress=False)
    assert seen == [(128, 1, 28, 28)] * 2


def test_ctrl_c_keeps_the_model_and_the_history_so_far(data):
    vae = vt.VAE(latent_dim=4, hidden_dims=(32,))
    calls = {"n": 0}

    def interrupt_in_third_epoch(x, generator):
        calls["n"] += 1
        if calls["n"] == 2 * 4 + 1:  # 4 batches per epoch: the first batch of epoch 3
            raise KeyboardInterrupt
        return x

    before = vae.decoder[0].weight.detach().clone()
    with pytest.warns(UserWarning, match="interrupted after 2 epoch"):
        history = vt.fit(vae, data.train_x[:512], epochs=10, corrupt=interrupt_in_third_epoch, batch_size=128,
                           progress=False)
    assert history.interrupted and history.epochs == 2
    assert not torch.equal(vae.decoder[0].weight, before)


def test_a_real_sigint_during_fit_is_caught(data):
    vae = vt.VAE(latent_dim=4, hidden_dims=(32,))
    batches = {"n": 0}

    def send_sigint_in_second_epoch(x, generator):
        batches["n"] += 1
        if batches["n"] == 6:  # 4 batches per epoch
            os.kill(os.getpid(), signal.SIGINT)
        return x

    # Python's own Ctrl-C handler, whatever this process inherited: a shell that starts a job in
    # the background (`make test &`) hands it SIGINT ignored, and then no KeyboardInterrupt comes.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.warns(UserWarning, match="interrupted"):
            history = vt.fit(vae, data.train_x[:512], epochs=50, corrupt=send_sigint_in_second_epoch,
                             batch_size=128, progress=False)
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert history.interrupted and history.epochs == 1


@pytest.mark.parametrize("disable, shown", [("1", False), ("", True)])
def test_progress_bar_follows_tqdm_disable(disable, shown):
    # tqdm reads TQDM_* when it is imported, so each setting gets a fresh process.
    import subprocess
    import sys

    script = ("import torch, vae_teach as vt; x = torch.rand(128, 1, 28, 28); "
              "vt.fit(vt.Autoencoder(latent_dim=2, hidden_dims=(16,)), x, epochs=1)")
    env = {k: v for k, v in os.environ.items() if k != "TQDM_DISABLE"}
    if disable:
        env["TQDM_DISABLE"] = disable
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert ("training Autoencoder" in result.stderr) == shown


def test_default_device_is_cpu_without_cuda():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert vt.default_device().type == expected


def test_first_fit_starts_from_the_mean_image_and_counts_epochs(data):
    vae = vt.VAE(latent_dim=2, hidden_dims=(16,))
    vt.fit(vae, data.train_x[:64], epochs=1, lr=1e-12, progress=False)
    mean = data.train_x[:64].mean(dim=0).reshape(-1).clamp(1e-3, 1 - 1e-3)
    assert torch.allclose(vae.decoder[-1].bias.detach(), torch.logit(mean), atol=1e-4)
    assert int(vae.epochs_trained) == 1


def test_a_second_fit_keeps_what_the_first_learned(data):
    vae = vt.VAE(latent_dim=2, hidden_dims=(16,))
    vt.fit(vae, data.train_x[:256], epochs=2, progress=False)
    trained_bias = vae.decoder[-1].bias.detach().clone()
    vt.fit(vae, data.train_x[:256], epochs=1, lr=1e-12, progress=False)
    assert torch.allclose(vae.decoder[-1].bias.detach(), trained_bias, atol=1e-6)
    assert int(vae.epochs_trained) == 3


def _learning_rates_per_step(run) -> list[float]:
    """run() with the learning rate of every optimizer step recorded."""
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    seen = []
    handle = register_optimizer_step_pre_hook(lambda optimizer, args, kwargs: seen.append(optimizer.param_groups[0]["lr"]))
    try:
        run()
    finally:
        handle.remove()
    return seen


def test_learning_rate_warms_up_linearly_then_holds(data):
    vae = vt.VAE(latent_dim=2, hidden_dims=(16,))
    # 640 images in batches of 64: 10 steps per epoch, 30 in all, the first 4 warming up.
    rates = _learning_rates_per_step(lambda: vt.fit(vae, data.train_x[:640], epochs=3, batch_size=64, lr=0.02,
                                                    warmup_steps=4, progress=False))
    assert rates == pytest.approx([0.005, 0.01, 0.015] + [0.02] * 27)


def test_each_call_warms_up_again_and_zero_warmup_starts_at_lr(data):
    vae = vt.VAE(latent_dim=2, hidden_dims=(16,))
    vt.fit(vae, data.train_x[:128], epochs=1, batch_size=64, lr=0.02, warmup_steps=2, progress=False)
    rates = _learning_rates_per_step(lambda: vt.fit(vae, data.train_x[:128], epochs=1, batch_size=64, lr=0.02,
                                                    warmup_steps=2, progress=False))
    assert rates == pytest.approx([0.01, 0.02])
    rates = _learning_rates_per_step(lambda: vt.fit(vae, data.train_x[:128], epochs=1, batch_size=64, lr=0.02,
                                                    warmup_steps=0, progress=False))
    assert rates == pytest.approx([0.02, 0.02])


@pytest.mark.parametrize("bad", [-1, 2.5, True, "24"])
def test_bad_warmup_steps_name_what_was_expected(data, bad):
    with pytest.raises(ValueError, match=r"warmup_steps.*int >= 0.*got"):
        vt.fit(vt.VAE(latent_dim=2, hidden_dims=(16,)), data.train_x[:64], epochs=1, warmup_steps=bad,
               progress=False)


def test_the_notebook_bar_also_follows_tqdm_disable(monkeypatch):
    # tqdm.auto gives a notebook bar in a kernel, and that bar ignores TQDM_DISABLE: fit reads it itself.
    from vae_teach.training import fit as fit_module

    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert fit_module._progress_on(None) is False and fit_module._progress_on(True) is True
    monkeypatch.delenv("TQDM_DISABLE")
    assert fit_module._progress_on(None) is True and fit_module._progress_on(False) is False


def test_diverged_training_stops_naming_epoch_step_and_a_smaller_lr(data):
    vae = vt.VAE(latent_dim=4, hidden_dims=(400,))
    with pytest.raises(vt.TrainingDivergedError,
                       match=r"loss is (nan|inf) at epoch \d, step \d+ .*lr=10\).*smaller learning rate \(e.g. lr=1\)"
                       ) as error:
        vt.fit(vae, data.train_x[:512], epochs=3, lr=10, device="cpu", progress=False)
    epoch = int(re.search(r"at epoch (\d)", str(error.value)).group(1))
    assert int(vae.epochs_trained) == epoch - 1  # the epoch that diverged is not counted
    sharp = vt.VAE(latent_dim=4, hidden_dims=(8,), likelihood="gaussian", gaussian_sigma=1e-30)
    with pytest.raises(FloatingPointError, match=r"loss is inf at epoch 1, step 1"):
        vt.fit(sharp, data.train_x[:64], epochs=1, progress=False)
    assert all(torch.isfinite(p).all() for p in sharp.parameters()), "the step that saw inf must not be taken"


@pytest.mark.parametrize("name, value", [
    ("lr", float("inf")), ("lr", float("nan")), ("lr", "0.01"), ("lr", None), ("lr", 0.0),
    ("beta", float("inf")), ("beta", float("nan")), ("beta", "1"), ("beta", None), ("beta", -1.0),
])
def test_fit_refuses_non_finite_or_non_numeric_lr_and_beta(name, value):
    with pytest.raises(ValueError, match=rf"expected {name} as a finite number .*got {value!r}"):
        vt.fit(vt.VAE(latent_dim=2, hidden_dims=(8,)), torch.rand(8, 1, 28, 28), epochs=1, **{name: value})


def _returns_none(batch, generator):
    batch + 0.1  # forgot the return


@pytest.mark.parametrize("corrupt, error, message", [
    (_returns_none, TypeError, r"it returned NoneType \(a missing return\?\)"),
    (lambda b, g: b[:, :, :14], ValueError, r"shape \(32, 1, 28, 28\) in \[0, 1\]; it returned shape \(32, 1, 14, 28\)"),
    (lambda b, g: b * 255, ValueError, r"in \[0, 1\]; it returned .*values in \[0, 255\] \(clamp"),
    (lambda b, g: b * float("nan"), ValueError, r"in \[0, 1\]; it returned"),
    ("gaussian", TypeError, r"expected corrupt as a function .*got str"),
])
def test_a_corrupt_that_breaks_its_contract_is_a_clear_error(corrupt, error, message):
    ae = vt.Autoencoder(latent_dim=2, hidden_dims=(8,))
    with pytest.raises(error, match=message):
        vt.fit(ae, vt.load_mnist().train_x[:64], epochs=1, batch_size=32, corrupt=corrupt, progress=False)


def test_fit_refuses_what_is_not_a_model_or_a_history():
    x = torch.rand(8, 1, 28, 28)
    for model in (None, torch.nn.Linear(784, 2)):
        with pytest.raises(TypeError, match=f"expected a vae_teach model .*got {type(model).__name__}"):
            vt.fit(model, x, epochs=1)
    with pytest.raises(TypeError, match="expected history as a History .*got str"):
        vt.fit(vt.Autoencoder(2, hidden_dims=()), x, epochs=1, history="x")


def test_cuda_without_a_gpu_and_unknown_devices_are_clear_errors(monkeypatch):
    model, x = vt.Autoencoder(2, hidden_dims=()), torch.rand(8, 1, 28, 28)
    with pytest.raises(ValueError, match=r"expected device as 'cpu', 'cuda'.*got 'gpu'"):
        vt.fit(model, x, epochs=1, device="gpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match=r"device='cuda' asks for a CUDA GPU, but torch finds none.*device='cpu'"):
        vt.fit(model, x, epochs=1, device="cuda")
    with pytest.raises(RuntimeError, match="finds none"):
        vt.fit(model, x, epochs=1, device=torch.device("cuda", 0))


def test_evaluate_refuses_a_negative_beta_and_an_unseeded_estimate():
    model, x = vt.VAE(2, hidden_dims=(8,)), torch.rand(8, 1, 28, 28)
    with pytest.raises(ValueError, match=r"expected beta as a finite number >= 0; got -1"):
        vt.evaluate(model, x, beta=-1)
    with pytest.raises(ValueError, match=r"expected seed as an int"):
        vt.evaluate(model, x, seed=None)
