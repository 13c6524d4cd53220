"""A tqdm progress bar over tuning trials: trials done, best score so far, time left."""

from __future__ import annotations

import shutil
import sys
import time
from typing import Any

from optuna.trial import TrialState


class TrialProgress:
    """An Optuna callback ``(study, trial)`` that draws a progress bar on stderr.

    It stays silent when ``enabled`` is False, e.g. with ``--quiet`` or when stderr is not
    a terminal (see :func:`progress_enabled`).

    Parameters
    ----------
    n_trials : int or None
        Trials this run will add (None: until ``timeout``).
    timeout : float or None
        Seconds after which no new trial starts.
    metric : str
        Name of the score, e.g. "rmse".
    enabled : bool
        Draw the bar.
    """

    def __init__(
        self, n_trials: int | None, timeout: float | None, metric: str, *, enabled: bool
    ) -> None:
        self.n_trials = n_trials
        self.timeout = timeout
        self.metric = metric
        self.enabled = enabled
        self.start = time.monotonic()
        self.done = 0
        self.pruned = 0
        self._bar: Any = None
        if enabled:
            from tqdm.auto import tqdm

            # A pseudo-terminal without a size (CI, `script`) reports 0 columns and rows,
            # which makes tqdm draw nothing; shutil falls back to 100 x 24 then.
            size = shutil.get_terminal_size((100, 24))
            self._bar = tqdm(
                total=n_trials,
                desc="tuning",
                unit="trial",
                file=sys.stderr,
                ncols=min(size.columns, 120),
                nrows=max(size.lines, 2),
                leave=True,
            )

    def __call__(self, study: Any, trial: Any) -> None:
        self.done += 1
        self.pruned += trial.state == TrialState.PRUNED
        if self._bar is None:
            return
        postfix = {}
        try:
            postfix[f"best {self.metric}"] = f"{study.best_value:.5g}"
        except ValueError:  # no completed trial yet
            postfix[f"best {self.metric}"] = "-"
        if self.pruned:
            postfix["pruned"] = self.pruned
        if self.timeout is not None:
            left = max(0.0, self.timeout - (time.monotonic() - self.start))
            postfix["timeout in"] = f"{left:.0f}s"
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(1)
        if self.n_trials is not None and self.done >= self.n_trials:
            self._bar.set_description("refitting the best")

    def close(self) -> None:
        """Finish the bar (safe to call twice)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def progress_enabled(quiet: bool, stream: Any = None) -> bool:
    """Whether to draw progress: not ``quiet`` and ``stream`` (stderr) is a terminal."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return not quiet and bool(isatty and isatty())
