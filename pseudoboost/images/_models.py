"""Keras model builders for :class:`~pseudoboost.images.KerasImageClassifier`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pseudoboost.images._backend import import_keras


def make_cnn(
    input_shape: Sequence[int] = (28, 28, 1),
    n_classes: int = 10,
    *,
    filters: Sequence[int] = (32, 64),
    convs_per_block: int = 1,
    dense_units: int = 128,
    dropout: float = 0.0,
    batch_norm: bool = False,
) -> Any:
    """The notebook's small CNN, optionally wider or deeper.

    With the defaults: Conv(32, 3x3, relu) - MaxPool - Conv(64, 3x3, relu) - MaxPool - Flatten -
    Dense(128, relu) - Dense(n_classes, softmax), the seed notebook's architecture.

    Parameters
    ----------
    input_shape : tuple of int, default=(28, 28, 1)
        Shape of one image, (height, width, channels).
    n_classes : int, default=10
        Number of output classes.
    filters : sequence of int, default=(32, 64)
        Filters of each convolution block; each block ends with a 2x2 max-pooling.
    convs_per_block : int, default=1
        3x3 convolutions per block ("valid" padding with one, as the notebook; else "same").
    dense_units : int, default=128
        Width of the hidden dense layer (the features an autoencoder pretrains).
    dropout : float, default=0.0
        Dropout rate before the dense layers (0 disables it).
    batch_norm : bool, default=False
        Batch normalisation after each convolution.

    Returns
    -------
    keras.Model
        Uncompiled; its last layer is a softmax over ``n_classes``.

    Examples
    --------
    >>> from pseudoboost.images import make_cnn
    >>> model = make_cnn()  # doctest: +SKIP
    >>> model.output_shape  # doctest: +SKIP
    (None, 10)
    """
    keras = import_keras()
    layers = keras.layers
    model_layers: list[Any] = [keras.Input(tuple(input_shape))]
    for n_filters in filters:
        for _conv in range(convs_per_block):
            padding = "valid" if convs_per_block == 1 else "same"
            model_layers.append(
                layers.Conv2D(n_filters, 3, padding=padding, use_bias=not batch_norm)
            )
            if batch_norm:
                model_layers.append(layers.BatchNormalization())
            model_layers.append(layers.Activation("relu"))
        model_layers.append(layers.MaxPooling2D())
    model_layers.append(layers.Flatten())
    if dropout:
        model_layers.append(layers.Dropout(dropout))
    model_layers.append(layers.Dense(dense_units, activation="relu"))
    if dropout:
        model_layers.append(layers.Dropout(dropout))
    model_layers.append(layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(model_layers, name="cnn")
