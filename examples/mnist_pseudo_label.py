"""The seed notebook's MNIST flow through PseudoLabelClassifier and the Keras adapter.

A small CNN is trained 5 epochs on 1,000 labelled digits, predicts the unlabelled images,
keeps the predictions whose probability is at least 0.95 as pseudo-labels, and the same CNN is
fine-tuned 5 more epochs on labels + pseudo-labels (``warm_start=True``). The script prints the
baseline and final test accuracy, the accepted fraction, the pseudo-labels' accuracy and the
acceptance per class.

Data: full MNIST through Keras' loader and cache when a copy is there (1,000 labels, 59,000
unlabelled, the 10,000 test images); otherwise the 5,000-image subset
``../shared/data/mnist/mnist_5k.npz`` with the "P5k" split (1,000 test, 1,000 labelled,
3,000 unlabelled, stratified).

Run::

    python examples/mnist_pseudo_label.py [--subset PATH] [--seed 0]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from pseudoboost import PseudoLabelClassifier
from pseudoboost.images import KerasImageClassifier, load_mnist

SUBSET = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist" / "mnist_5k.npz"


def load_data(subset: Path, seed: int, full: bool):
    """(x_lab, y_lab, x_unl, y_unl, x_test, y_test) from full MNIST or the 5k subset."""
    if full:
        try:
            (x_train, y_train), (x_test, y_test) = load_mnist(download=False)
        except FileNotFoundError as exc:
            print(f"Full MNIST not available ({exc}); using the 5,000-image subset.")
        else:
            order = np.random.default_rng(seed).permutation(len(x_train))
            lab, unl = order[:1000], order[1000:]
            print("Full MNIST: 1,000 labelled, 59,000 unlabelled, 10,000 test images.")
            return x_train[lab], y_train[lab], x_train[unl], y_train[unl], x_test, y_test
    with np.load(subset) as f:
        x, y = f["x"], f["y"].astype(np.int64)
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=1000, stratify=y, random_state=seed
    )
    x_lab, x_unl, y_lab, y_unl = train_test_split(
        x_rest, y_rest, train_size=1000, stratify=y_rest, random_state=seed
    )
    print("MNIST subset (P5k): 1,000 labelled, 3,000 unlabelled, 1,000 test images.")
    return x_lab, y_lab, x_unl, y_unl, x_test, y_test


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=Path, default=SUBSET, help="path of mnist_5k.npz")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--subset-only", action="store_true", help="skip full MNIST")
    args = parser.parse_args()
    x_lab, y_lab, x_unl, y_unl, x_test, y_test = load_data(
        args.subset, args.seed, full=not args.subset_only
    )

    # Step 1: the supervised baseline (the notebook's 5 epochs on the labels).
    cnn = KerasImageClassifier(epochs=5, batch_size=128, warm_start=True, random_state=args.seed)
    base = KerasImageClassifier(**cnn.get_params()).fit(x_lab, y_lab)
    print(f"Baseline test accuracy: {np.mean(base.predict(x_test) == y_test):.4f}")

    # Steps 2-3: pseudo-label at >= 0.95 and fine-tune the same CNN.
    X = np.concatenate([x_lab, x_unl])
    y = np.concatenate([y_lab, np.full(len(x_unl), -1)])
    clf = PseudoLabelClassifier(cnn, threshold=0.95).fit(X, y)
    accepted = clf.pseudo_indices_
    print(
        f"Accepted pseudo-labels: {clf.n_pseudo_} / {len(x_unl)} "
        f"({clf.n_pseudo_ / len(x_unl):.1%}), correct: "
        f"{np.mean(clf.pseudo_labels_ == y_unl[accepted]):.1%}"
    )
    print(f"Test accuracy after fine-tuning: {np.mean(clf.predict(x_test) == y_test):.4f}")
    print("Acceptance per true class (share of that class's unlabelled images):")
    for c in range(10):
        members = np.flatnonzero(y_unl == c)
        print(f"  {c}: {np.isin(members, accepted).mean():.0%}")
    print("Accepted per predicted class:", clf.history_[0]["class_counts"])


if __name__ == "__main__":
    main()
