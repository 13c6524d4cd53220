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

# The recipe past the notebook: weak augmentation, cosine decay, smaller batches, a higher rate.
RECIPE = {"augment": "weak", "lr_schedule": "cosine", "learning_rate": 2e-3, "batch_size": 32}
BEST_EPOCHS, BEST_FINE_TUNE = 20, 20


def p5k_split(x: np.ndarray, y: np.ndarray, seed: int):
    """1,000 test, 1,000 labelled, 3,000 unlabelled images, stratified by class."""
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=1000, stratify=y, random_state=seed
    )
    x_lab, x_unl, y_lab, y_unl = train_test_split(
        x_rest, y_rest, train_size=1000, stratify=y_rest, random_state=seed
    )
    return x_lab, y_lab, x_unl, y_unl, x_test, y_test


def _notebook(seed, inner=None, **plc):
    inner = {"epochs": 5, "warm_start": True, "random_state": seed, **(inner or {})}
    return PseudoLabelClassifier(KerasImageClassifier(**inner), threshold=0.95, **plc)


def _recipe_pl(seed, epochs, fine_tune, threshold=0.9, **extra):
    inner = KerasImageClassifier(
        epochs=epochs,
        fine_tune_epochs=fine_tune,
        warm_start=True,
        random_state=seed,
        **{**RECIPE, **extra},
    )
    return PseudoLabelClassifier(inner, threshold=threshold)


# name -> (builder(x_unl, seed) -> estimator, description)
CONFIGS: dict[str, tuple[Callable, str]] = {
    "notebook": (
        lambda x_unl, seed: _notebook(seed),
        "the notebook: CNN 5 epochs on the labels, threshold 0.95, the same CNN fine-tuned "
        "5 epochs on labels + pseudo-labels",
    ),
    "balanced": (
        lambda x_unl, seed: _notebook(seed, balance_classes=True),
        "notebook + class-balanced acceptance (balance_classes=True)",
    ),
    "rounds_3": (
        lambda x_unl, seed: _notebook(seed, max_iter=3),
        "notebook + 3 pseudo-labelling rounds (max_iter=3)",
    ),
    "augment": (
        lambda x_unl, seed: _notebook(seed, {"augment": "weak"}),
        "notebook + weak augmentation (shifts, rotations, zoom)",
    ),
    "pretrain": (
        lambda x_unl, seed: _notebook(seed, {"pretrain_epochs": 5, "unlabeled": x_unl}),
        "notebook + 5 epochs of autoencoder pretraining on all 4,000 training images",
    ),
    "sup_recipe_30": (
        lambda x_unl, seed: KerasImageClassifier(epochs=30, random_state=seed, **RECIPE),
        "supervised only, the recipe for 30 epochs",
    ),
    "consistency_12": (
        lambda x_unl, seed: KerasImageClassifier(
            epochs=12, consistency=True, unlabeled=x_unl, random_state=seed, **RECIPE
        ),
        "FixMatch-style consistency alone (weak view labels, strong view trains), recipe, "
        "12 epochs",
    ),
    "pl_12_12": (
        lambda x_unl, seed: _recipe_pl(seed, 12, 12),
        "recipe 12 epochs, threshold 0.9, fine-tune 12 epochs",
    ),
    "pl_20_10": (
        lambda x_unl, seed: _recipe_pl(seed, 20, 10),
        "recipe 20 epochs, threshold 0.9, fine-tune 10 epochs",
    ),
    "pl_20_12": (
        lambda x_unl, seed: _recipe_pl(seed, 20, 12),
        "recipe 20 epochs, threshold 0.9, fine-tune 12 epochs",
    ),
    "sup_recipe_32": (
        lambda x_unl, seed: KerasImageClassifier(epochs=32, random_state=seed, **RECIPE),
        "supervised only, the recipe for 32 epochs",
    ),
    "pl_20_20_rounds_2": (
        lambda x_unl, seed: PseudoLabelClassifier(
            _recipe_pl(seed, 20, 20).estimator, threshold=0.9, max_iter=2
        ),
        "recipe 20 epochs, threshold 0.9, 2 rounds of fine-tuning 20 epochs",
    ),
    "pl_20_20_t08": (
        lambda x_unl, seed: _recipe_pl(seed, 20, 20, threshold=0.8),
        "recipe 20 epochs, threshold 0.8, fine-tune 20 epochs",
    ),
    "pl_small_30_15": (
        lambda x_unl, seed: _recipe_pl(
            seed, 30, 15, model_kwargs={"filters": (16, 32), "dense_units": 64}
        ),
        "half-width CNN, recipe 30 epochs, threshold 0.9, fine-tune 15 epochs",
    ),
    "supervised_best": (
        lambda x_unl, seed: KerasImageClassifier(
            epochs=BEST_EPOCHS + BEST_FINE_TUNE, random_state=seed, **RECIPE
        ),
        f"the best recipe without unlabelled data, {BEST_EPOCHS + BEST_FINE_TUNE} epochs "
        "(trained as long)",
    ),
    "best": (
        lambda x_unl, seed: _recipe_pl(seed, BEST_EPOCHS, BEST_FINE_TUNE),
        f"recipe {BEST_EPOCHS} epochs, threshold 0.9, fine-tune the same CNN "
        f"{BEST_FINE_TUNE} epochs",
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
            if args.out:
                with args.out.open("a") as out:
                    out.write(json.dumps(rows[-1]) + "\n")
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
