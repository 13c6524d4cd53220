"""The ``pseudoboost`` command line: ``tune``, ``compare``, ``predict`` and ``models``.

A thin layer over the public API: each command parses its arguments, checks the user's
files and values at the edge (one line on stderr and exit status 2 for every mistake) and
calls :func:`pseudoboost.tune`, :func:`pseudoboost.compare` or a saved model.
"""

from __future__ import annotations

from pseudoboost.cli._bundle import SubmissionModel
from pseudoboost.cli._main import build_parser, main

__all__ = ["SubmissionModel", "build_parser", "main"]
