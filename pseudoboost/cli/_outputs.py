"""Outputs that are complete or absent: staged in a hidden folder, then renamed into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from pseudoboost.cli._errors import UsageError

STAGING_PREFIX = ".pseudoboost-partial-"


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def check_writable_dir(path: Path, option: str) -> None:
    """Raise a UsageError unless ``path`` is, or can be created as, a writable folder.

    Nothing is left behind: the probe file is removed and no folder is created.
    """
    existing = _nearest_existing(path)
    fix = f"choose another folder with {option}"
    if not existing.is_dir():
        raise UsageError(
            f"cannot write to {option} {str(path)!r}: {str(existing)!r} is a file; {fix}."
        )
    try:
        handle, probe = tempfile.mkstemp(dir=existing, prefix=STAGING_PREFIX)
    except OSError as error:
        raise UsageError(
            f"cannot write to {option} {str(path)!r}: {error.strerror or error} in "
            f"{str(existing)!r}; {fix}."
        ) from None
    os.close(handle)
    os.unlink(probe)


def check_writable_file(path: Path, option: str) -> None:
    """Raise a UsageError unless a file can be written at ``path`` (its folder must exist)."""
    if path.is_dir():
        raise UsageError(
            f"{option} {str(path)!r} is a folder; give a file name such as {str(path / 'submission.csv')!r}."
        )
    if not path.parent.is_dir():
        raise UsageError(
            f"cannot write {option} {str(path)!r}: the folder {str(path.parent)!r} does not exist."
        )
    check_writable_dir(path.parent, option)


class OutputDir:
    """A folder whose files appear only when every one of them is complete.

    Files are written under a hidden staging folder inside ``path`` and moved into place by
    :meth:`commit` (each ``os.replace`` is atomic). :meth:`abort` removes the staging folder
    and any folder this object created that is still empty.

    Parameters
    ----------
    path : path-like
        The output folder (created with its parents when missing).
    option : str
        The command-line option that named it, for messages.
    """

    def __init__(self, path: str | os.PathLike, option: str = "--out") -> None:
        self.path = Path(path)
        self.option = option
        self.created: list[Path] = []
        self.staging: Path | None = None

    def check(self) -> None:
        """Fail early, writing nothing, if the folder cannot be written."""
        check_writable_dir(self.path, self.option)

    def create(self) -> Path:
        """Create the folder (remembering which folders are new) and the staging folder."""
        missing = [p for p in (self.path, *self.path.parents) if not p.exists()]
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(dir=self.path, prefix=STAGING_PREFIX))
        except OSError as error:
            raise UsageError(
                f"cannot write to {self.option} {str(self.path)!r}: {error.strerror or error}; "
                f"choose another folder with {self.option}."
            ) from None
        self.created = list(reversed(missing))
        return self.path

    def stage(self, name: str) -> Path:
        """Where to write ``name`` until :meth:`commit`."""
        if self.staging is None:
            self.create()
        assert self.staging is not None
        return self.staging / name

    def commit(self) -> list[Path]:
        """Move every staged file into the folder; return their final paths."""
        if self.staging is None:
            return []
        final = []
        for staged in sorted(self.staging.iterdir()):
            target = self.path / staged.name
            os.replace(staged, target)
            final.append(target)
        self.staging.rmdir()
        self.staging = None
        return final

    def abort(self, *, remove_created: bool = True) -> None:
        """Remove the staged files; with ``remove_created``, also the folders made by :meth:`create`
        when they hold nothing else."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
        if remove_created:
            for folder in reversed(self.created):
                try:
                    folder.rmdir()
                except OSError:
                    break


def write_file_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(temporary_path)`` then rename the result to ``path``."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=STAGING_PREFIX, suffix=path.suffix)
    os.close(handle)
    try:
        write(Path(temporary))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600 files
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
