"""MNIST through Keras' own loader and cache, with a clear message when offline."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pseudoboost.images._backend import import_keras

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"

MnistSplits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def keras_cache_path(fname: str = "mnist.npz") -> Path:
    """Where Keras caches a dataset file: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``.

    Mirrors Keras' own rule (``/tmp/.keras`` when the home folder is not writable).
    """
    if "KERAS_HOME" in os.environ:
        base = Path(os.environ["KERAS_HOME"])
    else:
        home = Path(os.path.expanduser("~"))
        base = (home if os.access(home, os.W_OK) else Path("/tmp")) / ".keras"
    return base / "datasets" / fname


def load_mnist(path: str | os.PathLike | None = None, *, download: bool = True) -> MnistSplits:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like ``keras.datasets.mnist``.

    Parameters
    ----------
    path : str or path-like, default=None
        A local ``mnist.npz`` (arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``). When
        None, Keras' loader is used: its cached copy if there is one, else a download.
    download : bool, default=True
        With ``path=None`` and no cached copy, whether Keras may download the file.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuples of ndarray
        uint8 images of shape (n, 28, 28) and uint8 labels.

    Raises
    ------
    FileNotFoundError
        When MNIST is not available offline: the message says where to put ``mnist.npz``.
    """
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"No MNIST file at {path}.")
        with np.load(path, allow_pickle=False) as data:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(data.files)
            if missing:
                raise ValueError(
                    f"{path} is not a Keras mnist.npz: it lacks {sorted(missing)} (it has "
                    f"{sorted(data.files)})."
                )
            return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])

    cached = keras_cache_path()
    if not cached.is_file() and not download:
        raise FileNotFoundError(_offline_message(cached, None))
    keras = import_keras()
    try:
        return keras.datasets.mnist.load_data()
    except Exception as exc:  # Keras raises a bare Exception for a failed download
        if cached.is_file():
            raise
        raise FileNotFoundError(_offline_message(cached, exc)) from exc


def _offline_message(cached: Path, error: Exception | None) -> str:
    reason = "downloads are off" if error is None else f"the download failed ({error})"
    return (
        f"MNIST is not in Keras' cache and {reason}. Copy mnist.npz (from {MNIST_URL}) to "
        f"{cached}, or pass its location: load_mnist(path='.../mnist.npz')."
    )
