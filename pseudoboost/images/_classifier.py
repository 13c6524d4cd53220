"""KerasImageClassifier: a scikit-learn classifier around a lazily built Keras network."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_is_fitted,
    check_random_state,
    validate_data,
)

from pseudoboost._clone import SharedUnlabeledMixin
from pseudoboost.images._augment import AUGMENTATIONS, augment_images
from pseudoboost.images._backend import import_keras
from pseudoboost.images._models import make_cnn

_OPTIMIZERS = {"adam": "Adam", "adamw": "AdamW", "sgd": "SGD", "rmsprop": "RMSprop"}


def _sample_weights(sample_weight: Any, n_samples: int) -> np.ndarray:
    """``sample_weight`` as ``n_samples`` finite float32 weights, not all zero (None: ones)."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=np.float32)
    weights = check_array(
        sample_weight, ensure_2d=False, dtype=np.float32, input_name="sample_weight"
    )
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must hold one weight per image: got shape {weights.shape} for "
            f"{n_samples} images."
        )
    if not weights.any():
        raise ValueError("sample_weight is all zero: at least one image needs a positive weight.")
    return weights


class KerasImageClassifier(SharedUnlabeledMixin, ClassifierMixin, BaseEstimator):
    """Scikit-learn classifier over image arrays, backed by a Keras network.

    The network comes from a build function called at the first ``fit`` as
    ``model(input_shape, n_classes, **model_kwargs)``; it must end in a softmax over the
    classes. Training is a seeded mini-batch loop (``train_on_batch``), the same on every Keras
    backend, with optional data augmentation, FixMatch-style consistency on unlabelled images,
    and autoencoder pretraining of the network's features. With ``warm_start=True`` a second
    ``fit`` continues training the same network (weights and optimizer state) for ``epochs``
    more epochs, which is how :class:`~pseudoboost.PseudoLabelClassifier` fine-tunes it.

    Parameters
    ----------
    model : callable, default=make_cnn
        Build function ``(input_shape, n_classes, **model_kwargs) -> keras.Model``.
    model_kwargs : dict, default=None
        Extra keyword arguments of ``model``.
    epochs : int >= 0, default=5
        Passes over the labelled images per ``fit``.
    fine_tune_epochs : int >= 0, default=None
        Passes in a ``fit`` that continues a fitted network (``warm_start=True``); None means
        ``epochs`` (the notebook's ``EPOCHS_FINETUNE``).
    batch_size : int >= 1, default=128
        Labelled images per training step.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"}, default="adam"
        Keras optimizer.
    learning_rate : float > 0, default=1e-3
        Initial learning rate.
    lr_schedule : {"constant", "cosine"}, default="constant"
        ``"cosine"`` decays the rate to 0 over the epochs of each ``fit``.
    augment : {"weak", "strong"} or None, default=None
        Random affine transforms of the labelled images at every step: ``"weak"`` shifts,
        rotates and zooms a little; ``"strong"`` also shears and erases a square (cutout).
    unlabeled : array-like of images, default=None
        Unlabelled images shaped like ``X``, used by ``consistency`` and ``pretrain_epochs``.
        Clones share it (it is never modified).
    consistency : bool, default=False
        FixMatch-style consistency: each step also draws ``unlabeled_ratio`` unlabelled images
        per labelled one, predicts a weakly augmented view, and trains on a strongly augmented
        view towards the predicted class where its probability is at least
        ``consistency_threshold``. Needs ``unlabeled``.
    consistency_threshold : float in [0, 1], default=0.95
        Confidence needed for an unlabelled image to count in a step.
    consistency_weight : float >= 0, default=1.0
        Weight of the unlabelled loss relative to the labelled loss.
    unlabeled_ratio : int >= 1, default=3
        Unlabelled images per labelled image in a consistency step.
    pretrain_epochs : int >= 0, default=0
        Epochs of autoencoder pretraining, before the first training, of the layers up to the
        network's last hidden layer, reconstructing all images (``X`` and ``unlabeled``) through
        a dense decoder that is then discarded.
    warm_start : bool, default=False
        Continue training the fitted network in the next ``fit`` instead of building a new one
        (the classes must not change).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation (Keras' global seed), shuffling and augmentation. With an
        int, fitting twice gives the same network on a CPU backend.
    verbose : int, default=0
        Print the mean loss of every epoch when positive.

    Attributes
    ----------
    model_ : keras.Model
        The fitted network.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    input_shape_ : tuple of int
        Shape of one sample as the network sees it ((height, width, channels) for images).
    n_features_in_ : int
        ``X.shape[1]`` seen in ``fit`` (the image height for image input).
    history_ : list of dict
        One row per training epoch over all fits: ``epoch``, ``loss``, ``learning_rate`` and,
        with ``consistency``, ``mask_rate`` (share of unlabelled images above the threshold).
    n_epochs_ : int
        Epochs trained so far (grows with warm starts).

    Notes
    -----
    ``X`` may be ``(n, height, width)`` (one channel), ``(n, height, width, channels)``, or
    ``(n, n_features)`` for a build function that takes flat vectors. Integer images are
    divided by 255; float images are used as they are (values in [0, 1] are expected).

    Examples
    --------
    >>> import numpy as np
    >>> from pseudoboost import PseudoLabelClassifier
    >>> from pseudoboost.images import KerasImageClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(60, 28, 28), dtype=np.uint8)
    >>> y = np.repeat([0, 1, 2], 20)
    >>> y[::2] = -1  # unlabelled rows
    >>> clf = PseudoLabelClassifier(KerasImageClassifier(epochs=1, random_state=0), threshold=0.5)
    >>> clf.fit(X, y).predict(X[:3]).shape  # doctest: +SKIP
    (3,)
    """

    _parameter_constraints: dict = {
        "model": [callable],
        "model_kwargs": [dict, None],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "fine_tune_epochs": [Interval(Integral, 0, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "augment": [StrOptions(set(AUGMENTATIONS)), None],
        "unlabeled": ["array-like", None],
        "consistency": ["boolean"],
        "consistency_threshold": [Interval(Real, 0, 1, closed="both")],
        "consistency_weight": [Interval(Real, 0, None, closed="left")],
        "unlabeled_ratio": [Interval(Integral, 1, None, closed="left")],
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        model: Callable[..., Any] = make_cnn,
        *,
        model_kwargs: dict | None = None,
        epochs: int = 5,
        fine_tune_epochs: int | None = None,
        batch_size: int = 128,
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        lr_schedule: str = "constant",
        augment: str | None = None,
        unlabeled: Any = None,
        consistency: bool = False,
        consistency_threshold: float = 0.95,
        consistency_weight: float = 1.0,
        unlabeled_ratio: int = 3,
        pretrain_epochs: int = 0,
        warm_start: bool = False,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.model = model
        self.model_kwargs = model_kwargs
        self.epochs = epochs
        self.fine_tune_epochs = fine_tune_epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.augment = augment
        self.unlabeled = unlabeled
        self.consistency = consistency
        self.consistency_threshold = consistency_threshold
        self.consistency_weight = consistency_weight
        self.unlabeled_ratio = unlabeled_ratio
        self.pretrain_epochs = pretrain_epochs
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # --- scikit-learn plumbing ------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags

    # --- fitting --------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> KerasImageClassifier:
        """Train the network on labelled images (continuing it with ``warm_start=True``).

        Parameters
        ----------
        X : array-like of shape (n, height, width[, channels]) or (n, n_features)
            Training images.
        y : array-like of shape (n,)
            Class labels.
        sample_weight : array-like of shape (n,), default=None
            Per-image weights of the loss.

        Returns
        -------
        self : KerasImageClassifier
        """
        keras = import_keras()
        continuing = self.warm_start and hasattr(self, "model_")
        X, y = validate_data(
            self, X, y, reset=not continuing, allow_nd=True, dtype=None, ensure_min_samples=2
        )
        check_classification_targets(y)
        images = self._as_network_input(X)
        weights = _sample_weights(sample_weight, len(images))
        if continuing:
            if images.shape[1:] != self.input_shape_:
                raise ValueError(
                    f"warm_start=True continues a network for inputs of shape {self.input_shape_}"
                    f" but X has samples of shape {images.shape[1:]}."
                )
            unknown = np.setdiff1d(np.unique(y), self.classes_)
            if unknown.size:
                raise ValueError(
                    f"warm_start=True cannot add classes to a fitted network: y has "
                    f"{unknown.tolist()} besides {self.classes_.tolist()}. Refit with "
                    "warm_start=False."
                )
            y_index = np.searchsorted(self.classes_, y)
        else:
            self.classes_, y_index = np.unique(y, return_inverse=True)
            self.input_shape_ = tuple(images.shape[1:])
        unlabeled = self._unlabeled_images()
        if (self.augment or self.consistency) and len(self.input_shape_) != 3:
            raise ValueError(
                "augment and consistency need images of shape (n, height, width[, channels]); "
                f"got samples of shape {self.input_shape_}."
            )
        if self.consistency and unlabeled is None:
            raise ValueError(
                "consistency=True needs unlabelled images: pass them as "
                "KerasImageClassifier(unlabeled=...)."
            )

        with _seeded(self.random_state if not continuing else None) as seed:
            if not continuing:
                self._rng = np.random.default_rng(seed)
                self.history_ = []
                self.n_epochs_ = 0
                self.model_ = self._build(keras, len(self.classes_))
                if self.pretrain_epochs:
                    pool = images if unlabeled is None else np.concatenate([images, unlabeled])
                    self._pretrain(keras, pool)
            epochs = self.epochs
            if continuing and self.fine_tune_epochs is not None:
                epochs = self.fine_tune_epochs
            self._train(images, y_index.astype(np.int64), weights, unlabeled, epochs)
        return self

    def _as_network_input(self, X: np.ndarray) -> np.ndarray:
        """Float32 network input: (n, h, w) gains a channel axis; integers are divided by 255."""
        scale = 255.0 if X.dtype.kind in "iu" else 1.0
        images = np.asarray(X, dtype=np.float32)
        if scale != 1.0:
            images = images / np.float32(scale)
        if images.ndim == 3:
            images = images[..., None]
        return images

    def _unlabeled_images(self) -> np.ndarray | None:
        if self.unlabeled is None:
            return None
        pool = check_array(self.unlabeled, allow_nd=True, dtype=None, input_name="unlabeled")
        pool = self._as_network_input(pool)
        if pool.shape[1:] != self.input_shape_:
            raise ValueError(
                f"`unlabeled` images have shape {pool.shape[1:]} but X's have "
                f"{self.input_shape_}: pass unlabelled images shaped like X."
            )
        return pool

    def _build(self, keras: Any, n_classes: int) -> Any:
        model = self.model(self.input_shape_, n_classes, **(self.model_kwargs or {}))
        model.compile(optimizer=self._make_optimizer(keras), loss="sparse_categorical_crossentropy")
        return model

    def _make_optimizer(self, keras: Any) -> Any:
        return getattr(keras.optimizers, _OPTIMIZERS[self.optimizer])(
            learning_rate=self.learning_rate
        )

    def _pretrain(self, keras: Any, images: np.ndarray) -> None:
        """Autoencoder pretraining of the layers up to the last hidden layer."""
        features = self.model_.layers[-2].output
        decoded = keras.layers.Dense(int(np.prod(self.input_shape_)), activation="sigmoid")(
            features
        )
        decoded = keras.layers.Reshape(self.input_shape_)(decoded)
        autoencoder = keras.Model(self.model_.inputs, decoded)
        autoencoder.compile(optimizer=self._make_optimizer(keras), loss="binary_crossentropy")
        target = np.clip(images, 0.0, 1.0)
        autoencoder.fit(
            images,
            target,
            epochs=self.pretrain_epochs,
            batch_size=self.batch_size,
            shuffle=True,
            verbose=self.verbose,
        )

    def _train(
        self,
        images: np.ndarray,
        y_index: np.ndarray,
        weights: np.ndarray,
        unlabeled: np.ndarray | None,
        epochs: int,
    ) -> None:
        rng = self._rng
        model = self.model_
        spec = AUGMENTATIONS[self.augment] if self.augment else None
        n = images.shape[0]
        for epoch in range(epochs):
            lr = self.learning_rate
            if self.lr_schedule == "cosine":
                lr = 0.5 * self.learning_rate * (1.0 + math.cos(math.pi * epoch / epochs))
            model.optimizer.learning_rate.assign(lr)
            order = rng.permutation(n)
            losses, masked, drawn = [], 0, 0
            for start in range(0, n, self.batch_size):
                batch = order[start : start + self.batch_size]
                xb, yb, wb = images[batch], y_index[batch], weights[batch]
                if spec is not None:
                    xb = augment_images(xb, spec, rng)
                if self.consistency:
                    xb, yb, wb, n_mask = self._consistency_batch(xb, yb, wb, unlabeled, rng)
                    masked += n_mask
                    drawn += self.unlabeled_ratio * batch.size
                losses.append(float(_first(model.train_on_batch(xb, yb, sample_weight=wb))))
            row = {"epoch": self.n_epochs_, "loss": float(np.mean(losses)), "learning_rate": lr}
            if self.consistency:
                row["mask_rate"] = masked / max(drawn, 1)
            self.history_.append(row)
            self.n_epochs_ += 1
            if self.verbose:
                print(
                    f"epoch {self.n_epochs_}: loss {row['loss']:.4f}"
                    + (f", mask rate {row['mask_rate']:.2f}" if self.consistency else "")
                )

    def _consistency_batch(
        self,
        xb: np.ndarray,
        yb: np.ndarray,
        wb: np.ndarray,
        unlabeled: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """Append strongly augmented unlabelled images labelled by their weak view."""
        n_lab = xb.shape[0]
        n_unl = self.unlabeled_ratio * n_lab
        pool = unlabeled[rng.integers(0, unlabeled.shape[0], n_unl)]
        proba = np.asarray(self.model_.predict_on_batch(augment_images(pool, _WEAK, rng)))
        target = proba.argmax(axis=1)
        mask = proba.max(axis=1) >= self.consistency_threshold
        strong = augment_images(pool, _STRONG, rng)
        # Keras averages the weighted loss over the whole batch: rescale each part so the
        # total is mean(labelled loss) + consistency_weight * mean(unlabelled loss), as FixMatch.
        total = n_lab + n_unl
        w_unl = mask.astype(np.float32) * np.float32(self.consistency_weight * total / n_unl)
        return (
            np.concatenate([xb, strong]),
            np.concatenate([yb, target.astype(yb.dtype)]),
            np.concatenate([wb * np.float32(total / n_lab), w_unl]),
            int(mask.sum()),
        )

    # --- prediction -----------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n, height, width[, channels]) or (n, n_features)

        Returns
        -------
        ndarray of shape (n, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, allow_nd=True, dtype=None)
        images = self._as_network_input(X)
        if images.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has samples of shape {images.shape[1:]} but the network was fitted on "
                f"{self.input_shape_}."
            )
        proba = np.asarray(
            self.model_.predict(images, batch_size=max(self.batch_size, 256), verbose=0),
            dtype=np.float64,
        )
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each image.

        Parameters
        ----------
        X : array-like of shape (n, height, width[, channels]) or (n, n_features)

        Returns
        -------
        ndarray of shape (n,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


_WEAK = AUGMENTATIONS["weak"]
_STRONG = AUGMENTATIONS["strong"]


def _first(value: Any) -> Any:
    """The loss out of ``train_on_batch``'s return value (a scalar, list or dict)."""
    if isinstance(value, dict):
        return value.get("loss", next(iter(value.values())))
    if isinstance(value, (list, tuple)):
        return value[0]
    return value


class _seeded:
    """Seed Keras (and the global NumPy/Python generators it seeds) for one fit, then restore.

    Yields the integer seed of the estimator's own generator (None when unseeded).
    """

    def __init__(self, random_state: Any) -> None:
        self.random_state = random_state

    def __enter__(self) -> int | None:
        if self.random_state is None:
            return None
        seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        if isinstance(self.random_state, Integral):
            seed = int(self.random_state)
        self._np_state = np.random.get_state()  # noqa: NPY002 (restored after the fit)
        self._py_state = random.getstate()
        import_keras().utils.set_random_seed(seed)
        return seed

    def __exit__(self, *exc: object) -> None:
        if self.random_state is not None:
            np.random.set_state(self._np_state)  # noqa: NPY002
            random.setstate(self._py_state)
