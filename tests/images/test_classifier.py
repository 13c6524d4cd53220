"""KerasImageClassifier: fitting, warm starts, options, and the pseudo-labelling flow."""

from __future__ import annotations

import numpy as np
import pytest

from pseudoboost import PseudoLabelClassifier
from pseudoboost.images import AugmentSpec, KerasImageClassifier, augment_images

from .conftest import synthetic_images, tiny_network

needs_keras = pytest.mark.usefixtures("keras_installed")


@needs_keras
def test_fit_predict_on_uint8_images_with_string_classes():
    X, y = synthetic_images(n_per_class=30)
    names = np.array(["a", "b", "c"])[y]
    clf = KerasImageClassifier(epochs=8, batch_size=45, learning_rate=5e-3, random_state=0)
    clf.fit(X, names)
    assert clf.input_shape_ == (12, 12, 1)
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c"])
    proba = clf.predict_proba(X)
    assert proba.shape == (90, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (clf.predict(X) == names).mean() > 0.9
    assert clf.n_epochs_ == 8 and len(clf.history_) == 8
    with pytest.raises(ValueError, match=r"fitted on \(12, 12, 1\)"):
        clf.predict(np.zeros((2, 12, 12, 3)))


@needs_keras
def test_same_seed_same_network_and_warm_start_continues_training():
    X, y = synthetic_images(n_per_class=20)
    params = dict(epochs=1, fine_tune_epochs=2, random_state=0, warm_start=True)
    first = KerasImageClassifier(tiny_network, **params)
    second = KerasImageClassifier(tiny_network, **params)
    first.fit(X, y)
    second.fit(X, y)
    np.testing.assert_allclose(first.predict_proba(X), second.predict_proba(X), rtol=1e-5)

    network = first.model_
    weights = [w.copy() for w in network.get_weights()]
    first.fit(X, y)
    assert first.model_ is network  # the same network, trained further
    # fine_tune_epochs=2 more epochs, on from the first one
    assert first.n_epochs_ == 3 and [r["epoch"] for r in first.history_] == [0, 1, 2]
    assert any(not np.allclose(a, b) for a, b in zip(weights, network.get_weights(), strict=True))

    fresh = KerasImageClassifier(tiny_network, epochs=1, random_state=0).fit(X, y)
    fresh.fit(X, y)
    assert fresh.n_epochs_ == 1  # warm_start=False rebuilds

    with pytest.raises(ValueError, match=r"cannot add classes.*\[7\]"):
        first.fit(X, np.where(y == 0, 7, y))


@needs_keras
def test_pseudo_label_classifier_records_per_class_acceptance():
    X, y = synthetic_images(n_per_class=40)
    y_partial = y.copy()
    y_partial[40:] = -1
    inner = KerasImageClassifier(
        tiny_network, epochs=5, batch_size=64, learning_rate=0.05, warm_start=True, random_state=0
    )
    clf = PseudoLabelClassifier(inner, threshold=0.6, max_iter=2).fit(X, y_partial)
    first = clf.history_[0]
    assert set(first["class_counts"]) == {0, 1, 2}
    assert sum(first["class_counts"].values()) == first["n_selected"] > 0
    assert clf.n_pseudo_ == sum(row["n_selected"] for row in clf.history_)
    # warm_start: every round continued the one network (5 epochs per fit).
    assert clf.estimator_.n_epochs_ == 5 * (1 + clf.n_iter_)
    # the pseudo-labels are right on this easy data
    truth = y[40:][clf.pseudo_indices_]
    assert (clf.pseudo_labels_ == truth).mean() > 0.95


@needs_keras
def test_consistency_augmentation_and_pretraining_options():
    X, y = synthetic_images(n_per_class=20)
    pool, _ = synthetic_images(n_per_class=20, seed=1)
    clf = KerasImageClassifier(
        epochs=2,
        batch_size=30,
        augment="weak",
        consistency=True,
        consistency_threshold=0.0,
        unlabeled=pool,
        unlabeled_ratio=2,
        pretrain_epochs=1,
        lr_schedule="cosine",
        random_state=0,
    ).fit(X, y)
    assert [r["mask_rate"] for r in clf.history_] == [1.0, 1.0]  # threshold 0 keeps all
    assert clf.history_[0]["learning_rate"] == pytest.approx(1e-3)
    assert clf.history_[1]["learning_rate"] == pytest.approx(0.5e-3)

    with pytest.raises(ValueError, match="consistency=True needs unlabelled images"):
        KerasImageClassifier(consistency=True, epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="augment and consistency need images"):
        KerasImageClassifier(tiny_network, augment="weak").fit(X.reshape(len(X), -1), y)
    with pytest.raises(ValueError, match=r"`unlabeled` images have shape \(10, 10, 1\)"):
        KerasImageClassifier(consistency=True, unlabeled=pool[:, :10, :10]).fit(X, y)


def test_clones_share_the_unlabelled_images():
    from sklearn.base import clone

    pool = np.zeros((5, 12, 12), dtype=np.uint8)
    assert clone(KerasImageClassifier(unlabeled=pool)).unlabeled is pool


def test_augmentation_identity_and_ranges():
    rng = np.random.default_rng(0)
    images = rng.random((6, 12, 12, 2)).astype(np.float32)
    same = augment_images(images, AugmentSpec(0.0, 0.0, 0.0, 0.0), rng)
    np.testing.assert_allclose(same, images, atol=1e-6)
    moved = augment_images(images, AugmentSpec(20.0, 0.1, 0.1, 0.2, cutout=0.3), rng)
    assert moved.shape == images.shape and moved.dtype == images.dtype
    assert not np.allclose(moved, images)
    # a one-pixel shift of a delta moves it by one pixel
    delta = np.zeros((1, 9, 9, 1), dtype=np.float32)
    delta[0, 4, 4, 0] = 1.0
    spec = AugmentSpec(rotation=0.0, shift=1 / 9, zoom=0.0, shear=0.0)

    class FixedRng:
        def uniform(self, low, high, n):
            return np.full(n, high)

    shifted = augment_images(delta, spec, FixedRng())
    assert shifted[0, 5, 5, 0] == pytest.approx(1.0)
