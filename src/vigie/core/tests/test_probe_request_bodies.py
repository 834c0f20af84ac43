"""Probe (issue 15, ADR 0054): request bodies are bounded and wait where Vigie says.

waitress reads a whole body before Vigie sees it, up to 1 GiB by default, spilling anything
over 512 KB to the system's temporary directory in clear. A real ``vigie serve`` must refuse
a body larger than any route accepts before reading it, keep the ones it reads in its own
0700 directory, and leave nothing there once it stops."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.cli import cli
from vigie.core import bodies
from vigie.core.tests.serving import VIGIE, free_port, wait_listening
from vigie.core.tests.test_serve import server_env

LIMIT = 2 * 1024 * 1024


def _send(port: int, head: bytes, body: bytes, pause_after: int = -1) -> tuple[bytes, Any]:
    """Send a request; optionally stop sending after ``pause_after`` body bytes and return
    the open socket (the caller finishes or closes it)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(head)
    if pause_after >= 0:
        sock.sendall(body[:pause_after])
        return b"", sock
    # the server may answer and close before the whole body is sent
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(body)
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except ConnectionResetError:
        pass
    sock.close()
    return answer, None


def _spills(pid: int, root: Path) -> list[str]:
    """The files the server process holds open under ``root`` (waitress's are unlinked)."""
    held = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(root)):
            held.append(target)
    return held


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc")
def test_probe_vigie_serve_bounds_bodies_and_keeps_them_in_its_own_directory(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    spill = tmp_path / "spill"
    env = server_env(data) | {
        "VIGIE_REQUEST_MAX_BYTES": str(LIMIT),
        "VIGIE_TEMP_DIR": str(spill),
    }
    subprocess.run([VIGIE, "migrate"], env=env, check=True, capture_output=True)
    # a server that died left its directory behind: the next one removes it
    (spill / "serve-999999999").mkdir(parents=True)
    (spill / "serve-999999999" / "body").write_bytes(b"left in clear")
    port = free_port()
    proc = subprocess.Popen(
        [VIGIE, "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(port, proc)
        assert not (spill / "serve-999999999").exists()
        assert stat.S_IMODE(spill.stat().st_mode) == 0o700
        big = b"x" * (LIMIT + 1)
        # a declared length over the limit: refused before a byte of the body is read
        head = (
            f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {len(big)}\r\n\r\n"
        ).encode()
        answer, _ = _send(port, head, big)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        # chunked, no length announced: refused once the bytes received pass the limit
        chunked = b"".join(b"%x\r\n%s\r\n" % (65536, big[:65536]) for _ in range(40))
        head = (
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        answer, _ = _send(port, head, chunked + b"0\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        # a body under the limit but over waitress's 512 KB waits in Vigie's directory
        body = b"y" * (LIMIT - 1024)
        head = (
            f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        _, sock = _send(port, head, body, pause_after=len(body) // 2)
        deadline = time.monotonic() + 10
        while not (held := _spills(proc.pid, spill)) and time.monotonic() < deadline:
            time.sleep(0.1)
        sock.close()
        assert held, "the body did not wait in VIGIE_TEMP_DIR"
        assert all(h.startswith(str(spill / f"serve-{proc.pid}")) for h in held), held
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert list(spill.iterdir()) == []  # emptied at a clean stop


def test_the_limit_is_the_largest_upload_a_route_accepts(settings: Any) -> None:
    settings.VIGIE_REQUEST_MAX_BYTES = 0
    limits = bodies.upload_limits()
    assert {"case import", "transaction file", "evidence chunk", "field submission"} <= set(limits)
    assert bodies.request_body_limit() == max(limits.values()) + bodies.MULTIPART_ALLOWANCE
    settings.VIGIE_REQUEST_MAX_BYTES = 5000
    assert bodies.request_body_limit() == 5000


def test_an_encrypted_volume_under_lvm_is_recognised(tmp_path: Path) -> None:
    block = tmp_path / "253:1"
    (block / "dm").mkdir(parents=True)
    (block / "dm" / "uuid").write_text("LVM-abc\n")
    lower = block / "slaves" / "dm-0"
    (lower / "dm").mkdir(parents=True)
    assert not bodies._crypt_below(block, 0)
    (lower / "dm" / "uuid").write_text("CRYPT-LUKS2-0123-root\n")
    assert bodies._crypt_below(block, 0)


@pytest.mark.django_db
def test_deploy_check_warns_of_a_temp_dir_on_clear_disk(settings: Any, tmp_path: Path) -> None:
    settings.VIGIE_TEMP_DIR = tmp_path / "spill"
    out = CliRunner().invoke(cli, ["check", "--deploy"]).output
    clear = not bodies.in_memory_or_encrypted(tmp_path)
    assert ("vigie.W106" in out) == clear, out
    shm = Path("/dev/shm")  # noqa: S108  (memory: what the check asks for)
    if shm.is_dir() and bodies.in_memory_or_encrypted(shm):
        settings.VIGIE_TEMP_DIR = shm / f"vigie-{tmp_path.name}"
        assert "vigie.W106" not in CliRunner().invoke(cli, ["check", "--deploy"]).output


@pytest.mark.django_db
def test_an_operator_attests_the_encryption_of_the_temp_dirs_mount(
    settings: Any, tmp_path: Path
) -> None:
    """ADR 0070: a cloud provider's encrypted volume is invisible to the system; an
    attestation naming the mount the directory is on is named in the output (I106), one
    naming another mount leaves the warning, saying so."""
    settings.VIGIE_TEMP_DIR = tmp_path / "spill"
    if bodies.in_memory_or_encrypted(tmp_path) is not False:
        pytest.skip("the test's temp directory is not on clear storage here")
    mount = bodies.mount_of(tmp_path)
    assert mount is not None
    settings.VIGIE_TEMP_DIR_ENCRYPTION = f"{mount[0]}: EBS volume, KMS key alias/vigie"
    out = CliRunner().invoke(cli, ["check", "--deploy"]).output
    assert "vigie.W106" not in out and "vigie.I106" in out and "alias/vigie" in out, out
    settings.VIGIE_TEMP_DIR_ENCRYPTION = "/elsewhere: EBS volume"
    out = CliRunner().invoke(cli, ["check", "--deploy"]).output
    assert "vigie.W106" in out and "/elsewhere" in out, out
    settings.VIGIE_TEMP_DIR_ENCRYPTION = f"{mount[0]}:"  # no word of how: no attestation
    assert "vigie.W106" in CliRunner().invoke(cli, ["check", "--deploy"]).output


def test_an_fscrypt_directory_is_recognised_by_its_inode_flag(tmp_path: Path) -> None:
    assert bodies._fscrypt(tmp_path) is False  # a test directory is not fscrypt-encrypted
    assert bodies._fscrypt(tmp_path / "missing") is False
