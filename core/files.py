"""Files holding families' data: owner-only (0600, directories 0700) whatever the umask.

The SQLite database, the uploaded SIECLE files, the letters, the outbox and the secret key all go
through these helpers, so that a shared machine's other accounts cannot read them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Make ``path`` (and its missing parents) a directory only its owner can open.

    Missing directories are created 0700; an existing one is left as it is (it may be a folder
    the operator chose, such as a home directory). Returns ``path``.
    """
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(folder, DIR_MODE)
    return path


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600; an existing file we own loses group and other rights."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        narrow_file(path)
        return
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file, then a rename), 0600.

    A reader sees the old file or the new one, never half of it.
    """
    private_dir(path.parent)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def narrow_file(path: Path) -> None:
    """Drop the group and other rights of a file we own, if it exists (others' are left alone)."""
    try:
        status = path.stat()
        if status.st_uid == os.getuid() and status.st_mode & 0o077:
            path.chmod(status.st_mode & 0o700)
    except OSError:
        pass
