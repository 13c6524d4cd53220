"""load_mnist: a local file, Keras' cache, and the offline error that says where to put it."""

from __future__ import annotations

import numpy as np
import pytest

from pseudoboost.images import load_mnist
from pseudoboost.images._datasets import keras_cache_path


def test_offline_without_a_copy_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    expected = tmp_path / "datasets" / "mnist.npz"
    assert keras_cache_path() == expected
    with pytest.raises(FileNotFoundError, match="Copy mnist.npz") as info:
        load_mnist(download=False)
    assert str(expected) in str(info.value)
    assert "downloads are off" in str(info.value)


def test_failed_download_becomes_the_same_message(tmp_path, monkeypatch, keras_installed):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def no_network(*args, **kwargs):
        raise Exception("URL fetch failure: no network")

    monkeypatch.setattr(keras_installed.datasets.mnist, "load_data", no_network)
    with pytest.raises(FileNotFoundError, match="the download failed") as info:
        load_mnist()
    assert str(tmp_path / "datasets" / "mnist.npz") in str(info.value)


def test_local_file_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "y_train": np.arange(5, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "y_test": np.arange(2, dtype=np.uint8),
    }
    np.savez(tmp_path / "mnist.npz", **arrays)
    (x_train, y_train), (x_test, y_test) = load_mnist(tmp_path / "mnist.npz")
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


def test_local_file_of_another_format_is_named(tmp_path):
    np.savez(tmp_path / "mnist_5k.npz", x=np.zeros((2, 28, 28)), y=np.zeros(2))
    with pytest.raises(ValueError, match=r"not a Keras mnist.npz: it lacks \['x_test'"):
        load_mnist(tmp_path / "mnist_5k.npz")
    with pytest.raises(FileNotFoundError, match="No MNIST file at"):
        load_mnist(tmp_path / "absent.npz")
