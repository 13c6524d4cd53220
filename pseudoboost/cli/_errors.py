"""The one exception the commands raise for a user's mistake."""

from __future__ import annotations


class UsageError(Exception):
    """A mistake the user can fix: printed as one line on stderr, exit status 2.

    The message says what is wrong and how to fix it; it never needs a traceback.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    prog : str, default=None
        The (sub)command that found it, e.g. "pseudoboost tune", for the message's prefix.
    """

    def __init__(self, message: str, prog: str | None = None) -> None:
        super().__init__(message)
        self.prog = prog
