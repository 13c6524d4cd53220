"""Load the real Big Mart Sales files with a checked schema."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pseudoboost.datasets._schema import check_bigmart_frame


def load_bigmart(
    train_path: str | os.PathLike[str],
    test_path: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the Big Mart Sales ``train.csv`` and ``test.csv`` and check their schema.

    Parameters
    ----------
    train_path : str or path-like
        The train file (11 features plus ``Item_Outlet_Sales``), or a folder that holds
        ``train.csv`` and ``test.csv`` when ``test_path`` is None.
    test_path : str or path-like, optional
        The test file (the 11 features, no target). Required unless ``train_path`` is a folder.

    Returns
    -------
    train : pandas.DataFrame
        The labelled rows, columns in file order.
    test : pandas.DataFrame
        The unlabelled rows (the article uses them as the pseudo-labelling pool).

    Raises
    ------
    FileNotFoundError
        If a file does not exist.
    ValueError
        If a file's columns are not the Big Mart schema (the message names the missing and
        unexpected columns) or a column has the wrong dtype.

    See Also
    --------
    make_bigmart_like : A generated table with the same schema, for offline use.

    Examples
    --------
    >>> from pseudoboost.datasets import load_bigmart
    >>> train, test = load_bigmart("data/bigmart")  # doctest: +SKIP
    >>> train.shape, test.shape  # doctest: +SKIP
    ((8523, 12), (5681, 11))
    """
    train_file = Path(train_path)
    if test_path is None:
        if not train_file.is_dir():
            raise ValueError(
                "test_path is required unless train_path is a folder holding "
                f"train.csv and test.csv; got train_path={str(train_file)!r}."
            )
        train_file, test_file = train_file / "train.csv", train_file / "test.csv"
    else:
        test_file = Path(test_path)
    frames = []
    for path, with_target in ((train_file, True), (test_file, False)):
        if not path.is_file():
            raise FileNotFoundError(f"Big Mart file not found: {str(path)!r}.")
        frame = pd.read_csv(path)
        check_bigmart_frame(frame, with_target=with_target, name=str(path))
        frames.append(frame)
    return frames[0], frames[1]
