"""One server per database file: an exclusive lock on ``<path>.lock`` (which names the
holder's pid), and on Linux a lock on the database file itself, by its device and inode,
so a hard or symbolic link to a database in use is refused too. The operating system
drops both when the process ends, killed or not."""

from __future__ import annotations

import errno
import os
from typing import IO, Any

from mockserver.store.db import DatabaseInUse, UnusableDatabase, instead, reason


class Lock:
    """The lock on ``<path>.lock``, and whether this process made that file; and the lock on
    the database file itself (``file``: its descriptor), whatever path names it."""

    def __init__(self, handle: IO[str], name: str, created: bool) -> None:
        self.handle = handle
        self.name = name
        self.created = created
        self.file: int | None = None

    def release(self, *, remove: bool = False) -> None:
        """Drop the lock; ``remove``: and delete the file, if this process made it (never
        another server's)."""
        if remove and self.created:
            try:
                os.unlink(self.name)  # while still locked: no other server can hold it
            except OSError:
                pass
        try:
            self.handle.close()  # closing drops the lock
        except OSError:  # what was left to write could not be: closed all the same
            pass
        if self.file is not None:
            os.close(self.file)  # and the file's own lock with it
            self.file = None


def lock(path: str) -> Lock | None:
    """One server per database file: an exclusive lock on ``<path>.lock``, which the
    operating system drops when the process ends, killed or not. Held until released."""
    if path == ":memory:":
        return None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, as before
        return None
    name = path + ".lock"
    for _ in range(10):
        held = _lock_once(name, path, fcntl)
        # A start that failed removes the lock file it made (while holding it): one opened just
        # before that is locked but nameless. Only the file at the name counts: try again.
        try:
            if os.fstat(held.handle.fileno()).st_ino == os.stat(name).st_ino:
                held.file = _lock_the_file(path, held)
                return held
        except FileNotFoundError:
            pass
        except OSError as exc:
            held.release()
            raise UnusableDatabase(f"cannot check {name} ({reason(exc)}); {instead(exc)}") from None
        held.release()
    raise DatabaseInUse(f"the lock file {name} keeps changing: another salesplay-mock server is starting on {path}")


# A byte of the database file no SQLite locks (its own are 512 bytes from 1 GiB on): an
# advisory lock there stays clear of SQLite's, which another server's SQLite would take.
FILE_LOCK_BYTE = 0x40000000 + 0x10000


def _lock_the_file(path: str, held: Lock) -> int | None:
    """Lock the database file itself, by its device and inode: a hard link, or a symbolic
    link in another folder, has another ``.lock`` file but is the same database. An open
    file description lock (Linux) is dropped only when this descriptor closes, whatever
    SQLite opens and closes meanwhile; elsewhere only the ``.lock`` file holds."""
    import fcntl
    import struct

    if not hasattr(fcntl, "F_OFD_SETLK"):  # pragma: no cover - not Linux
        return None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # SQLite would create it all the same
    except OSError as exc:
        held.release(remove=True)
        raise UnusableDatabase(f"cannot open {path} ({reason(exc)}); {instead(exc)}") from None
    request = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, FILE_LOCK_BYTE, 1, 0) + bytes(8)
    try:
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, request)
    except OSError as exc:
        os.close(fd)
        held.release(remove=True)
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            raise DatabaseInUse(f"the database {path} is in use by another salesplay-mock server, which opened "
                                "it by another path (a hard or symbolic link to the same file)") from None
        raise UnusableDatabase(f"cannot lock {path} ({reason(exc)}); {instead(exc)}") from None
    return fd


def _lock_once(name: str, path: str, fcntl: Any) -> Lock:
    try:
        try:
            handle, created = open(name, "x+", encoding="utf-8"), True
        except FileExistsError:
            handle, created = open(name, "a+", encoding="utf-8"), False
    except OSError as exc:  # a folder that says it is writable and is not (/sys, /proc, read-only mounts)
        raise UnusableDatabase(f"cannot create {name} beside the database ({reason(exc)}); "
                               f"{instead(exc)}") from None
    held = Lock(handle, name, created)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise DatabaseInUse(
            f"the database {path} is in use by another salesplay-mock server" + (f" (pid {holder})" if holder else "")
        ) from None
    except OSError as exc:  # a file system without locks, say
        held.release(remove=True)
        raise UnusableDatabase(f"cannot lock {name} ({reason(exc)}); {instead(exc)}") from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
    except OSError as exc:  # a full disk
        held.release(remove=True)
        raise UnusableDatabase(f"cannot write {name} ({reason(exc)}); {instead(exc)}") from None
    return held
