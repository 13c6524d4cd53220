"""MNIST with 1,000 labels: the notebook's pseudo-labelling flow and what goes past it.

Protocol "P5k": the 5,000-image MNIST subset (500 per class) is split, stratified and seeded,
into 1,000 test, 1,000 labelled and 3,000 unlabelled images. Every configuration is a
scikit-learn estimator from the public API; the script prints one row per (configuration, seed)
and a markdown summary (mean and standard deviation over seeds, wall time per seed).

Example::

    python benchmarks/bench_mnist.py --configs notebook best --seeds 0 1 2 --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from pseudoboost import PseudoLabelClassifier
from pseudoboost.images import KerasImageClassifier

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist" / "mnist_5k.npz"

# The best configuration's network and training recipe, shared by "best" and its supervised twin.
BEST_CNN = {"model_kwargs": {"dropout": 0.25}, "augment": "weak", "lr_schedule": "cosine"}
BEST_EPOCHS = 15


def p5k_split(x: np.ndarray, y: np.ndarray, seed: int):
    """1,000 test, 1,000 labelled, 3,000 unlabelled images, stratified by class."""
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=1000, stratify=y, random_state=seed
    )
    x_lab, x_unl, y_lab, y_unl = train_test_split(
        x_rest, y_rest, train_size=1000, stratify=y_rest, random_state=seed
    )
    return x_lab, y_lab, x_unl, y_unl, x_test, y_test


def _notebook(x_unl, seed, **plc):
    inner = KerasImageClassifier(epochs=5, warm_start=True, random_state=seed)
    return PseudoLabelClassifier(inner, threshold=0.95, random_state=seed, **plc)


# name -> (builder(x_unl, seed) -> estimator, description)
CONFIGS: dict[str, tuple[Callable, str]] = {
    "notebook": (
        lambda x_unl, seed: _notebook(x_unl, seed),
        "notebook: CNN 5 epochs, threshold 0.95, fine-tune the same CNN 5 epochs",
    ),
    "supervised_10": (
        lambda x_unl, seed: KerasImageClassifier(epochs=10, random_state=seed),
        "supervised CNN, 10 epochs (as long as the notebook flow)",
    ),
    "balanced": (
        lambda x_unl, seed: _notebook(x_unl, seed, balance_classes=True),
        "notebook + class-balanced acceptance",
    ),
    "rounds_3": (
        lambda x_unl, seed: _notebook(x_unl, seed, max_iter=3),
        "notebook + 3 pseudo-labelling rounds",
    ),
    "augment": (
        lambda x_unl, seed: PseudoLabelClassifier(
            KerasImageClassifier(epochs=5, augment="weak", warm_start=True, random_state=seed),
            threshold=0.95,
        ),
        "notebook + weak augmentation (shifts, rotations, zoom)",
    ),
    "pretrain": (
        lambda x_unl, seed: PseudoLabelClassifier(
            KerasImageClassifier(
                epochs=5, pretrain_epochs=5, unlabeled=x_unl, warm_start=True, random_state=seed
            ),
            threshold=0.95,
        ),
        "notebook + 5 epochs autoencoder pretraining on all 4,000 training images",
    ),
    "consistency": (
        lambda x_unl, seed: KerasImageClassifier(
            epochs=10, consistency=True, unlabeled=x_unl, random_state=seed
        ),
        "FixMatch-style consistency alone, 10 epochs (no pseudo-label rounds)",
    ),
    "supervised_best": (
        lambda x_unl, seed: KerasImageClassifier(
            epochs=2 * BEST_EPOCHS, random_state=seed, **BEST_CNN
        ),
        f"best recipe without unlabelled data: {2 * BEST_EPOCHS} epochs",
    ),
    "best": (
        lambda x_unl, seed: PseudoLabelClassifier(
            KerasImageClassifier(
                epochs=BEST_EPOCHS, warm_start=True, random_state=seed, **BEST_CNN
            ),
            threshold=0.95,
            random_state=seed,
        ),
        f"dropout 0.25 + weak augmentation + cosine, {BEST_EPOCHS} epochs, threshold 0.95, "
        f"fine-tune {BEST_EPOCHS} epochs",
    ),
}


def run_one(name: str, seed: int, data: tuple) -> dict:
    """Fit one configuration on one seed's split; return its numbers."""
    x_lab, y_lab, x_unl, y_unl, x_test, y_test = data
    estimator = CONFIGS[name][0](x_unl, seed)
    start = time.perf_counter()
    if isinstance(estimator, PseudoLabelClassifier):
        X = np.concatenate([x_lab, x_unl])
        y = np.concatenate([y_lab, np.full(len(x_unl), -1)])
        estimator.fit(X, y)
    else:
        estimator.fit(x_lab, y_lab)
    seconds = time.perf_counter() - start
    row = {
        "config": name,
        "seed": seed,
        "accuracy": float((estimator.predict(x_test) == y_test).mean()),
        "seconds": seconds,
    }
    if isinstance(estimator, PseudoLabelClassifier):
        truth = y_unl[estimator.pseudo_indices_]
        row["accepted"] = estimator.n_pseudo_ / len(x_unl)
        row["pseudo_accuracy"] = float((estimator.pseudo_labels_ == truth).mean())
        per_class = {}
        for c in range(10):
            per_class[c] = float(
                np.mean(np.isin(np.flatnonzero(y_unl == c), estimator.pseudo_indices_))
            )
        row["per_class_acceptance"] = per_class
    return row


def baseline(seed: int, data: tuple) -> float:
    """The notebook's supervised step alone (5 epochs on the 1,000 labels)."""
    x_lab, y_lab, _, _, x_test, y_test = data
    clf = KerasImageClassifier(epochs=5, random_state=seed).fit(x_lab, y_lab)
    return float((clf.predict(x_test) == y_test).mean())


def summarise(rows: list[dict]) -> str:
    """Markdown table: mean and standard deviation over seeds per configuration."""
    lines = [
        "| configuration | test accuracy (mean ± sd) | per seed | accepted | pseudo-label acc. "
        "| wall s / seed |",
        "|---|---|---|---|---|---|",
    ]
    for name in dict.fromkeys(r["config"] for r in rows):
        group = [r for r in rows if r["config"] == name]
        acc = np.array([r["accuracy"] for r in group])
        seeds = ", ".join(f"{r['accuracy']:.3f}" for r in group)
        accepted = (
            f"{np.mean([r['accepted'] for r in group]):.1%}" if "accepted" in group[0] else "-"
        )
        pseudo = (
            f"{np.mean([r['pseudo_accuracy'] for r in group]):.1%}"
            if "pseudo_accuracy" in group[0]
            else "-"
        )
        wall = np.mean([r["seconds"] for r in group])
        lines.append(
            f"| {name} | {acc.mean():.2%} ± {acc.std():.2%} | {seeds} | {accepted} | {pseudo} "
            f"| {wall:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="mnist_5k.npz path")
    parser.add_argument(
        "--configs",
        nargs="+",
        default=["notebook", "supervised_best", "best"],
        choices=sorted(CONFIGS),
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also fit the notebook's supervised step alone (5 epochs)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="PyTorch CPU threads (1 is faster on a crowded machine)",
    )
    parser.add_argument("--out", type=Path, default=None, help="append JSON rows to this file")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        parser.error(f"no MNIST subset at {args.data}: pass --data PATH/mnist_5k.npz")
    if args.threads is not None and os.environ.get("KERAS_BACKEND", "torch") == "torch":
        import torch

        torch.set_num_threads(args.threads)
    with np.load(args.data) as f:
        x, y = f["x"], f["y"].astype(np.int64)
    rows = []
    for seed in args.seeds:
        data = p5k_split(x, y, seed)
        if args.baseline:
            start = time.perf_counter()
            acc = baseline(seed, data)
            rows.append(
                {
                    "config": "baseline_5",
                    "seed": seed,
                    "accuracy": acc,
                    "seconds": time.perf_counter() - start,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
        for name in args.configs:
            load = os.getloadavg()[0]
            row = run_one(name, seed, data)
            row["load_before"] = load
            row["load_after"] = os.getloadavg()[0]
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.out:
                with args.out.open("a") as out:
                    out.write(json.dumps(row) + "\n")
    print()
    for name in dict.fromkeys(r["config"] for r in rows):
        if name in CONFIGS:
            print(f"- {name}: {CONFIGS[name][1]}")
    print(summarise(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
