"""An output folder replaced as a whole: a reader sees the previous set of files or the new one, never a mix.

Files are written into a staging folder beside the target; at the end the staging folder is swapped
with the target in one ``renameat2(RENAME_EXCHANGE)`` (Linux), or, where that is missing, the old folder
is renamed away and the new one renamed in (a reader then briefly sees no folder, never a mixed one).
A target that also holds files claimmap did not write (``-o .`` in a project folder) cannot be swapped
without touching them, so there the new files are renamed in one by one. Staging folders left by a
killed run carry its process id and are removed by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from geo.errors import ClaimmapError

OUTPUT_STEMS = ("sites.", "regions.", "errors.", "map.html")  # and sites.qml, regions.qml  # what a claimmap output folder holds
_STAGING = re.compile(r"^\..+\.claimmap-(?P<pid>\d+)-.+\.part$")
_RENAME_EXCHANGE = 2


class OutputError(ClaimmapError):
    """An output file cannot be written: names the final file, never the staging one."""


class OutputSet:
    """The staging folder of one run: ``path(name)`` gives where to write the file that will be
    ``target/name``; ``final(path)`` maps back for messages."""

    def __init__(self, target: Path, staging: Path):
        self.target, self.staging = target, staging

    def path(self, name: str) -> Path:
        return self.staging / name

    def final(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        with contextlib.suppress(ValueError):
            return self.target / path.relative_to(self.staging)
        return path


@contextlib.contextmanager
def output_set(target: str | Path, names: list[str], folders: Sequence[str] = ()) -> Iterator[OutputSet]:
    """Stage a set of output files for ``target``; they replace its claimmap files only if the block
    succeeds. ``names`` are the files the run will write and ``folders`` its dataset folders (checked
    up front, so that a blocked name fails before anything is written)."""
    target = Path(os.path.abspath(target))
    if target.is_symlink():
        target = target.resolve()
    _check_target(target, names, folders)
    staging = _staging(target)
    outputs = OutputSet(target, staging)
    try:
        yield outputs
        os.chmod(staging, 0o777 & ~_umask())
        if staging.parent == target:
            _rename_each(staging, target)
        else:
            _move_in(staging, target)
    except OSError as exc:
        raise OutputError(f"cannot write {outputs.final(exc.filename or target)}: {_reason(exc)}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _staging(target: Path) -> Path:
    """A fresh staging folder beside ``target``; inside it when only the target is writable
    (``-o .`` in a folder whose parent is not the user's)."""
    prefix = f".{target.name}.claimmap-{os.getpid()}-"
    _remove_stale_staging(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=target.parent, prefix=prefix, suffix=".part"))
    except OSError as exc:
        if not target.is_dir():
            raise OutputError(f"cannot write {target}: {_reason(exc)}") from exc
    _remove_stale_staging(target)
    try:
        return Path(tempfile.mkdtemp(dir=target, prefix=prefix, suffix=".part"))
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {_reason(exc)}") from exc


def _check_target(target: Path, names: list[str], folders: Sequence[str]) -> None:
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot write into {target}: it is a file, not a folder")
    for name in names:
        if (target / name).is_dir():
            raise OutputError(f"cannot write {target / name}: a folder of that name is in the way")
    for name in folders:
        if (target / name).exists() and not (target / name).is_dir():
            raise OutputError(f"cannot write {target / name}: a file of that name is in the way")


def _move_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if _only_claimmap_files(target) and target != Path.cwd().resolve():  # never swap the folder we stand in
        _swap(staging, target)
        return
    _rename_each(staging, target)  # a shared folder: replace only our own files


def _rename_each(staging: Path, target: Path) -> None:
    for entry in sorted(staging.iterdir()):
        if entry.is_dir() and (target / entry.name).is_dir():
            shutil.rmtree(target / entry.name)  # an older dataset folder (a dataset is not mixed either)
        os.replace(entry, target / entry.name)


def _only_claimmap_files(folder: Path) -> bool:
    return all(not e.is_symlink() and e.name.startswith(OUTPUT_STEMS) for e in folder.iterdir())


def _swap(staging: Path, target: Path) -> None:
    """Exchange the two folders atomically; afterwards ``staging`` holds the old set (removed later)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        exchange = libc.renameat2
    except (OSError, AttributeError):
        exchange = None
    if exchange is not None:
        at_fdcwd = -100
        if exchange(at_fdcwd, os.fsencode(staging), at_fdcwd, os.fsencode(target), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(code, os.strerror(code), str(target))
    old = staging.with_name(staging.name.replace(".part", ".old.part"))
    os.rename(target, old)
    os.rename(staging, target)
    os.rename(old, staging)


def _remove_stale_staging(parent: Path) -> None:
    """Staging folders of runs that were killed (their process is gone)."""
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            match = _STAGING.match(entry.name)
            if match and entry.is_dir() and not _alive(int(match["pid"])):
                shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
