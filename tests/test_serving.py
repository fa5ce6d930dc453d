"""The app as `make run` starts it listens on loopback only: a private library is not served to the network."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.servers import free_port, stop

ROOT = Path(__file__).resolve().parent.parent


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on the port, from /proc/net/tcp and tcp6 (hex, as the kernel writes)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_the_default_configuration_listens_on_loopback_only(tmp_path):
    port = free_port()
    # No --server.address: what .streamlit/config.toml (and so `make run`) decides.
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PAPERTRAIL_DATA_DIR": str(tmp_path / "data")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:  # noqa: S310
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "streamlit did not start"
                time.sleep(0.3)
        # 0100007F is 127.0.0.1 in /proc's byte order; any other address (0.0.0.0, ::) would serve the network
        assert _listening_addresses(port) == {"0100007F"}
    finally:
        stop(process, 15)


def test_make_run_passes_the_host_setting():
    makefile = (ROOT / "Makefile").read_text()
    assert "HOST ?= 127.0.0.1" in makefile and "--server.address $(HOST)" in makefile
