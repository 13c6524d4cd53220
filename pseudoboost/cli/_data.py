"""Reading the user's CSV files and checking them at the edge, before any work starts."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pseudoboost._class_labels import encode_labels
from pseudoboost._extrapolation import beyond_range, feature_range
from pseudoboost._task import infer_task
from pseudoboost.cli._errors import UsageError

MAX_LISTED = 15  # column names quoted in one message
# Smaller than the real files (8523 / 5681 rows) so that `tune --demo` ends in about a minute
# on two cores; the look-alike keeps the real files' schema, mess and noise.
DEMO_SIZES = {"n_train": 4000, "n_test": 2500}


def _listing(names: Sequence[Any]) -> str:
    shown = [str(name) for name in names[:MAX_LISTED]]
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(shown) + more


def _did_you_mean(name: str, choices: Sequence[Any]) -> str:
    close = difflib.get_close_matches(name, [str(c) for c in choices], n=1, cutoff=0.6)
    if not close:
        lowered = {str(c).lower(): str(c) for c in choices}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_csv(path: str, option: str) -> pd.DataFrame:
    """Read a CSV file or raise a one-line UsageError saying why it cannot be read."""
    file = Path(path)
    where = f"{option} {path!r}"
    if not file.exists():
        raise UsageError(f"{where} does not exist; check the path.")
    if file.is_dir():
        raise UsageError(f"{where} is a folder; give the CSV file inside it.")
    try:
        frame = pd.read_csv(file, low_memory=False)
    except UnicodeDecodeError as error:
        raise UsageError(
            f"cannot read {where} as CSV: it is not UTF-8 text (byte {error.start}); "
            "save it as a UTF-8 CSV file."
        ) from None
    except pd.errors.EmptyDataError:
        raise UsageError(f"cannot read {where} as CSV: the file is empty.") from None
    except pd.errors.ParserError as error:
        reason = " ".join(str(error).split())
        raise UsageError(f"cannot read {where} as CSV: {reason}") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or " ".join(str(error).split())
        raise UsageError(f"cannot read {where}: {reason}.") from None
    if frame.shape[1] == 1:
        header = str(frame.columns[0])
        for separator, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if separator in header:
                raise UsageError(
                    f"cannot read {where} as CSV: it has a single column {header[:60]!r} and "
                    f"seems separated by {name}; save it with commas as separators."
                )
    if len(frame) == 0:
        raise UsageError(f"{where} has a header but no rows.")
    return frame


@dataclass
class Inputs:
    """Checked training and test tables, ready for the library.

    Attributes
    ----------
    X, X_test : DataFrame
        Raw feature columns of train and test, in the same order.
    y : ndarray
        Targets: floats (NaN = unlabelled) for regression, class codes 0..k-1 (-1 =
        unlabelled: an empty cell or -1) for classification, from
        :func:`pseudoboost._class_labels.encode_labels`.
    ids : DataFrame
        The test file's id columns, copied into the submission.
    classes : list or None
        Classification: the label of each code.
    sources : dict
        Where the tables came from (path, SHA-256, rows, columns).
    notes : list of str
        Things the user should know (printed unless --quiet).
    feature_range : dict
        The labelled rows' (min, max) of each numeric feature
        (:func:`pseudoboost._extrapolation.feature_range`), kept by the saved model so that
        ``pseudoboost predict`` can say when rows lie far outside it.
    """

    X: pd.DataFrame
    y: np.ndarray
    X_test: pd.DataFrame
    ids: pd.DataFrame
    target: str
    id_columns: list[str]
    task: str
    classes: list[Any] | None
    sources: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    feature_range: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def features(self) -> list[str]:
        return [str(c) for c in self.X.columns]


def demo_tables(random_state: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The embedded Big Mart look-alike (train with target, test) and its description."""
    from pseudoboost.datasets import make_bigmart_like

    train, test = make_bigmart_like(**DEMO_SIZES, random_state=random_state)
    source = {
        "generator": "pseudoboost.datasets.make_bigmart_like",
        "random_state": random_state,
        **DEMO_SIZES,
    }
    return train, test, {"train": source, "test": source}


def file_tables(
    train_path: str, test_path: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Read both CSV files, with their hashes for the report."""
    train = read_csv(train_path, "--train")
    test = read_csv(test_path, "--test")
    sources = {}
    for key, path, frame in (("train", train_path, train), ("test", test_path, test)):
        sources[key] = {
            "path": str(Path(path).resolve()),
            "sha256": sha256(Path(path)),
            "rows": int(frame.shape[0]),
            "columns": int(frame.shape[1]),
        }
    return train, test, sources


def _target(
    train: pd.DataFrame, target: str, task: str
) -> tuple[np.ndarray, str, list | None, list[str]]:
    """Targets for the library, the task, the classes and notes."""
    column = train[target]
    notes = []
    present = column.notna()
    if not present.any():
        raise UsageError(f"target column {target!r} has no values in --train.")
    is_bool = pd.api.types.is_bool_dtype(column)
    numeric = pd.api.types.is_numeric_dtype(column) and not is_bool
    if not numeric and not is_bool:
        converted = pd.to_numeric(column, errors="coerce")
        bad = column[present & converted.isna()]
        n_classes = int(column[present].nunique())
        if task == "regression" and len(bad):
            examples = ", ".join(repr(str(v)) for v in bad.unique()[:3])
            raise UsageError(
                f"--task regression needs a numeric target, but column {target!r} holds text "
                f"such as {examples} ({len(bad)} of {int(present.sum())} rows); fix those "
                "values or use --task classification."
            )
        if task == "auto" and n_classes > 50 and n_classes > 0.2 * present.sum():
            examples = ", ".join(repr(str(v)) for v in bad.unique()[:3])
            raise UsageError(
                f"target column {target!r} is not numeric (it holds text such as {examples}) "
                f"and has {n_classes} different values, too many to be classes; fix the "
                "values to be numbers for regression, or pass --task classification."
            )
        if not len(bad):
            column = converted
    if task == "auto":
        task = infer_task(column)
        notes.append(f"task: {task} (from the target's values; set --task to override)")
    if task == "regression":
        y = column.to_numpy(dtype=float)
        if np.isnan(y).any():
            notes.append(f"{int(np.isnan(y).sum())} train rows without a target join the pool")
        return y, task, None, notes
    codes, labels = encode_labels(column)
    classes = [c.item() if isinstance(c, np.generic) else c for c in labels]
    if len(classes) < 2:
        only = f"only {classes[0]!r}" if len(classes) else "no class but the unlabelled -1"
        raise UsageError(
            f"classification needs at least two classes, but target column {target!r} holds {only}."
        )
    if (codes < 0).any():
        notes.append(f"{int((codes < 0).sum())} train rows without a target join the pool")
    return codes, task, classes, notes


def prepare(
    train: pd.DataFrame,
    test: pd.DataFrame,
    sources: dict[str, Any],
    *,
    target: str,
    id_columns: Sequence[str] = (),
    drop_columns: Sequence[str] = (),
    task: str = "auto",
) -> Inputs:
    """Check the tables against the options and split them into features, target and ids.

    Raises
    ------
    UsageError
        Missing target or id column, unknown column to drop, a target that is not numeric
        for regression, train and test with different feature columns.
    """
    if target not in train.columns:
        raise UsageError(
            f"target column {target!r} is not in --train{_did_you_mean(target, train.columns)}; "
            f"its columns are: {_listing(list(train.columns))}."
        )
    ids = list(dict.fromkeys(id_columns))
    for column in ids:
        if column not in test.columns:
            raise UsageError(
                f"--id-column {column!r} is not in --test{_did_you_mean(column, test.columns)}; "
                f"its columns are: {_listing(list(test.columns))}."
            )
    if target in ids:
        raise UsageError(f"--id-column {target!r} is the target; name the test file's id columns.")
    for column in drop_columns:
        if column not in train.columns and column not in test.columns:
            choices = list(dict.fromkeys([*train.columns, *test.columns]))
            raise UsageError(
                f"--drop-column {column!r} is in neither file{_did_you_mean(column, choices)}."
            )
    if target in drop_columns:
        raise UsageError(f"--drop-column {target!r} is the target; it cannot be dropped.")

    notes: list[str] = []
    if target in test.columns:
        if test[target].notna().any():
            notes.append(f"the test file's {target!r} column is ignored")
        test = test.drop(columns=[target])
    dropped = set(drop_columns)
    train_features = [c for c in train.columns if c != target and c not in dropped]
    test_features = [
        c for c in test.columns if c not in dropped and not (c in ids and c not in train.columns)
    ]
    only_train = [c for c in train_features if c not in set(test_features)]
    only_test = [c for c in test_features if c not in set(train_features)]
    if only_train or only_test:
        parts = []
        if only_train:
            parts.append(f"only in --train: {_listing(only_train)}")
        if only_test:
            parts.append(f"only in --test: {_listing(only_test)}")
        raise UsageError(
            f"train and test have different feature columns ({'; '.join(parts)}); rename them "
            "to match, or leave them out with --drop-column NAME."
        )
    if not train_features:
        raise UsageError("no feature columns are left besides the target; check --drop-column.")
    y, task, classes, target_notes = _target(train, target, task)
    X = train[train_features].reset_index(drop=True)
    X_test = test[train_features].reset_index(drop=True)
    labelled = ~np.isnan(y) if task == "regression" else y >= 0
    ranges = feature_range(X[labelled])
    shift = beyond_range(ranges, X_test)
    if shift is not None:
        target_notes.append(shift.message())
    return Inputs(
        X=X,
        y=y,
        X_test=X_test,
        ids=test[ids].reset_index(drop=True),
        target=target,
        id_columns=ids,
        task=task,
        classes=classes,
        sources=sources,
        notes=notes + target_notes,
        feature_range=ranges,
    )


def text_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that are neither numbers nor booleans."""
    return [
        str(c)
        for c in frame.columns
        if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))
    ]
