"""Keras image adapter: pseudo-labelling and semi-supervised training for image classifiers.

:class:`KerasImageClassifier` is a scikit-learn classifier over image arrays that builds a
Keras network lazily (default: :func:`make_cnn`, the seed notebook's CNN), so the notebook's
MNIST flow runs through :class:`~pseudoboost.PseudoLabelClassifier` unchanged::

    PseudoLabelClassifier(KerasImageClassifier(warm_start=True), threshold=0.95)

Past the notebook it offers data augmentation (``augment``), FixMatch-style consistency on
unlabelled images (``consistency``), autoencoder pretraining (``pretrain_epochs``), cosine
learning-rate decay and separate fine-tuning epochs (``fine_tune_epochs``, the notebook's
``EPOCHS_FINETUNE``); class-balanced acceptance and several rounds come from
``PseudoLabelClassifier(balance_classes=True, max_iter=...)``. On 1,000 MNIST labels + 3,000
unlabelled images (benchmarks/bench_mnist.py), weak augmentation + cosine decay for 20 epochs,
pseudo-labels at probability >= 0.9 and 20 fine-tuning epochs reach 97.6% test accuracy, where
the notebook's flow reaches 91.4%.

Keras and its backend are optional (``pip install "pseudoboost[images]"``): this module imports
without them and fails on use with that hint. The backend is PyTorch: ``KERAS_BACKEND`` is set
to ``"torch"`` before Keras is imported unless the user has set it. Measured on a 2-core CPU
(the notebook's CNN, Keras 3.15, steady state), PyTorch 2.13 (CPU wheel) trains at about
0.4 ms per image per epoch and JAX 0.10 at about 1.0 ms, so PyTorch is 2-2.5 times faster;
JAX is smaller (85 MB wheel, 380 MB installed, against 190 MB and 750 MB plus sympy for
PyTorch) but training speed decides on CPU. Any backend works if ``KERAS_BACKEND`` says so.
"""

from __future__ import annotations

from pseudoboost.images._backend import DEFAULT_BACKEND, set_default_backend

set_default_backend()

from pseudoboost.images._augment import AUGMENTATIONS, AugmentSpec, augment_images  # noqa: E402
from pseudoboost.images._classifier import KerasImageClassifier  # noqa: E402
from pseudoboost.images._datasets import load_mnist  # noqa: E402
from pseudoboost.images._models import make_cnn  # noqa: E402

__all__ = [
    "AUGMENTATIONS",
    "DEFAULT_BACKEND",
    "AugmentSpec",
    "KerasImageClassifier",
    "augment_images",
    "load_mnist",
    "make_cnn",
]
