"""Helpers for tests (and docs/journey.py) that start real server processes on loopback."""

from __future__ import annotations

import socket
import subprocess


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen, timeout_s: float = 20) -> None:
    """Terminate politely, then kill: a server that hangs on shutdown must not hang the test run."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout_s)
