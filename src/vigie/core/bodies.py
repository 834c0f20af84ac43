"""Request bodies before Vigie sees them (ADR 0054): how large ``vigie serve`` lets them be,
and where they wait.

waitress reads a whole request body before it calls the application: in memory up to 512 KB,
beyond that in a temporary file; Django then keeps an upload over 2.5 MB in a temporary file
of its own. Both use the process's temporary directory. Unbounded (waitress's default is 1
GiB), an unauthenticated client could fill that disk, and every large upload (case imports,
transaction files, evidence) passed through it in clear. ``vigie serve`` therefore gives
waitress the largest body a route of Vigie accepts, and points the temporary directory at
one Vigie owns (``VIGIE_TEMP_DIR``, mode 0700): one subdirectory per server process, emptied
when it stops and, after a crash, when the next server starts. ``check --deploy`` warns when
that directory is neither in memory nor on an encrypted volume.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings

#: multipart boundaries, the parts' headers and the form's other fields beside the file
MULTIPART_ALLOWANCE = 1024 * 1024
_PREFIX = "serve-"


def upload_limits() -> dict[str, int]:
    """The largest body each installed app accepts in one request, from its settings."""
    limits: dict[str, int] = {}
    if apps.is_installed("vigie.cases"):
        from vigie.cases.interchange.readers import MAX_BYTES

        limits["case import"] = MAX_BYTES
    if apps.is_installed("vigie.finance"):
        from vigie.finance.uploads import MAX_UPLOAD

        limits["transaction file"] = MAX_UPLOAD
    if apps.is_installed("vigie.evidence"):
        from vigie.evidence.uploads import MAX_CHUNK

        limits["evidence chunk"] = MAX_CHUNK
    if apps.is_installed("vigie.collection"):
        from vigie.collection.receipt import max_submission_bytes

        limits["field submission"] = max_submission_bytes()
    return limits


def request_body_limit() -> int:
    """``VIGIE_REQUEST_MAX_BYTES`` when set, else the largest upload limit plus the
    multipart allowance: a larger body could only be refused once read."""
    explicit = int(getattr(settings, "VIGIE_REQUEST_MAX_BYTES", 0) or 0)
    if explicit > 0:
        return explicit
    return max(upload_limits().values(), default=0) + MULTIPART_ALLOWANCE


def temp_root() -> Path:
    return Path(settings.VIGIE_TEMP_DIR).expanduser()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def take_temp_dir() -> Path:
    """Create this process's private temporary directory and make it the process's
    ``tempfile`` directory (waitress's and Django's spills go there). The directories of
    servers that died are removed first; a live server's is left alone (two servers may share
    a data directory), and so is anything Vigie did not make (``VIGIE_TEMP_DIR`` may be a
    shared directory such as /dev/shm)."""
    root = temp_root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if root.stat().st_uid == os.getuid() and not root.is_symlink():
        root.chmod(0o700)  # mkdir's mode is masked, and an existing directory keeps its own
    for entry in root.glob(f"{_PREFIX}*"):
        pid = entry.name.removeprefix(_PREFIX)
        if pid.isdigit() and not _alive(int(pid)):
            _remove(entry)
    own = root / f"{_PREFIX}{os.getpid()}"
    _remove(own)  # a dead server's that had this process's number
    own.mkdir(mode=0o700)
    tempfile.tempdir = str(own)
    return own


def release_temp_dir(own: Path) -> None:
    """Empty and remove the directory at a clean stop."""
    tempfile.tempdir = None
    _remove(own)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def mount_of(path: Path) -> tuple[str, str, str] | None:
    """The mount ``path`` is on, as (mount point, file system type, source); None when this
    system does not say (not Linux)."""
    mounts = Path("/proc/self/mounts")
    if not mounts.exists():
        return None
    path = _existing(path)
    best: tuple[str, str, str] = ("", "", "")
    for line in mounts.read_text().splitlines():
        fields = line.split()
        point = fields[1].replace("\\040", " ")
        if path.is_relative_to(point) and len(point) >= len(best[0]):
            best = (point, fields[2], fields[0].replace("\\040", " "))
    return best


def _existing(path: Path) -> Path:
    """``path``, or its nearest existing parent (the directory may not be made yet), resolved."""
    while not path.exists():
        path = path.parent
    return path.resolve()


def in_memory_or_encrypted(path: Path) -> bool | None:
    """Whether ``path`` is on tmpfs/ramfs, on a dm-crypt volume (LUKS, also under LVM), in an
    fscrypt-encrypted directory (ext4, f2fs) or on a ZFS dataset with native encryption;
    None when this system does not say (not Linux). Encryption below the system (a cloud
    provider's volume, a self-encrypting disk) cannot be seen: an operator attests it
    (``VIGIE_TEMP_DIR_ENCRYPTION``, ADR 0070)."""
    mount = mount_of(path)
    if mount is None:
        return None
    path = _existing(path)
    _point, fstype, source = mount
    if fstype in {"tmpfs", "ramfs"}:
        return True
    if fstype == "zfs":
        return _zfs_encrypted(source)
    if _fscrypt(path):
        return True
    dev = path.stat().st_dev
    return _crypt_below(Path(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}"), 0)


_FS_IOC_GETFLAGS = 0x80086601  # _IOR('f', 1, long) on 64-bit Linux
_FS_ENCRYPT_FL = 0x00000800


def _fscrypt(path: Path) -> bool:
    """An fscrypt directory: its inode carries the encrypt flag (what ``lsattr -d`` shows as
    E); its files, temporary ones included, are encrypted with its policy."""
    import array
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        flags = array.array("l", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags, True)
        return bool(flags[0] & _FS_ENCRYPT_FL)
    except OSError:  # a file system without inode flags
        return False
    finally:
        os.close(fd)


def _zfs_encrypted(dataset: str) -> bool:
    """A ZFS dataset with native encryption, asked of ``zfs get`` when the tool is here."""
    import subprocess

    tool = shutil.which("zfs")
    if tool is None:
        return False
    try:
        got = subprocess.run(  # noqa: S603  (a fixed tool, the dataset as one argument)
            [tool, "get", "-H", "-o", "value", "encryption", dataset],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return got.returncode == 0 and got.stdout.strip() not in {"", "-", "off"}


def _crypt_below(block: Path, depth: int) -> bool:
    """A device-mapper device is encrypted if it or a device it is built on is dm-crypt."""
    uuid = block / "dm" / "uuid"
    if uuid.exists() and uuid.read_text().startswith("CRYPT-"):
        return True
    slaves = block / "slaves"
    if depth > 8 or not slaves.is_dir():
        return False
    return any(_crypt_below(s, depth + 1) for s in slaves.iterdir())
