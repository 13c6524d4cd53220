"""Shared helpers of the image tests: tiny synthetic image sets and a tiny network."""

from __future__ import annotations

import numpy as np
import pytest


def synthetic_images(n_per_class: int = 40, n_classes: int = 3, side: int = 12, seed: int = 0):
    """uint8 images of shape (n, side, side): class k has a bright 4x4 block in corner k."""
    rng = np.random.default_rng(seed)
    corners = [(1, 1), (1, side - 5), (side - 5, 1), (side - 5, side - 5)]
    images, labels = [], []
    for k in range(n_classes):
        block = np.zeros((n_per_class, side, side))
        r, c = corners[k % 4]
        block[:, r : r + 4, c : c + 4] = 200
        images.append(block + rng.uniform(0, 50, block.shape))
        labels.append(np.full(n_per_class, k))
    order = rng.permutation(n_per_class * n_classes)
    return np.concatenate(images)[order].astype(np.uint8), np.concatenate(labels)[order]


def tiny_network(input_shape, n_classes):
    """Flatten + softmax: a multinomial logistic regression, quick to build and train."""
    from pseudoboost.images._backend import import_keras

    keras = import_keras()
    return keras.Sequential(
        [
            keras.Input(tuple(input_shape)),
            keras.layers.Flatten(),
            keras.layers.Dense(n_classes, activation="softmax"),
        ]
    )


def keras_or_skip():
    """Keras (on pseudoboost's default backend), or skip when the optional extra is missing."""
    from pseudoboost.images._backend import import_keras

    try:
        return import_keras()
    except ImportError as exc:
        pytest.skip(
            allow_module_level=True,
            reason=f'Keras is not installed (pip install "pseudoboost[images]"): {exc}',
        )


@pytest.fixture
def keras_installed():
    """Keras; skip (with the reason) when the optional extra is missing."""
    return keras_or_skip()
