"""Optional Keras import: the backend is chosen before Keras loads, with an install hint."""

from __future__ import annotations

import os
from types import ModuleType

#: Backend used unless the user has set ``KERAS_BACKEND`` (measured fastest on CPU here).
DEFAULT_BACKEND = "torch"

INSTALL_HINT = (
    'pseudoboost.images needs Keras 3 and a backend: pip install "pseudoboost[images]" '
    "(Keras with the PyTorch backend; for a CPU-only PyTorch install torch from PyTorch's CPU "
    "wheel index first)."
)


def set_default_backend() -> str:
    """Set ``KERAS_BACKEND`` to :data:`DEFAULT_BACKEND` unless the user chose one.

    Has no effect once Keras is imported (Keras reads the variable on import).

    Returns
    -------
    str
        The backend Keras will use when imported after this call.
    """
    return os.environ.setdefault("KERAS_BACKEND", DEFAULT_BACKEND)


def import_keras() -> ModuleType:
    """Import Keras 3 (after :func:`set_default_backend`) or fail with the install hint.

    Raises
    ------
    ImportError
        When Keras 3 or its backend is not installed.
    """
    set_default_backend()
    try:
        import keras
    except ImportError as exc:  # keras missing, or its backend missing
        raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
    if int(keras.__version__.split(".")[0]) < 3:
        raise ImportError(f"Keras {keras.__version__} is too old. {INSTALL_HINT}")
    return keras
