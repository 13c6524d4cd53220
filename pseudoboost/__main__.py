"""``python -m pseudoboost``: the same as the ``pseudoboost`` command."""

from __future__ import annotations

import sys

from pseudoboost.cli import main

if __name__ == "__main__":
    sys.exit(main())
