"""JupyterLab from the project's environment serves the notebooks and runs their kernel.

The server runs on loopback with a random token; it is driven through its REST API and a
kernel's websocket, as the Lab front end drives it.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import websocket  # websocket-client, a dependency of jupyter_server

import analysis
from analysis import config

pytestmark = pytest.mark.slow

NOTEBOOKS = {"01_prepare.ipynb", "10_township.ipynb", "20_village.ipynb", "90_explore.ipynb"}
START_TIMEOUT = 60.0  # seconds for the server to answer
KERNEL_TIMEOUT = 30.0  # seconds for a kernel to answer or report idle
REQUEST_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A ``jupyter lab`` process on loopback and a client for it (with its token)."""

    def __init__(self, port: int, token: str, process: subprocess.Popen, stderr: Path) -> None:
        self.port = port
        self.token = token
        self.process = process
        self.stderr = stderr

    def request(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            text = response.read()
        return json.loads(text) if text else None

    def execute(self, kernel_id: str, code: str) -> str:
        """Run ``code`` on a kernel over its websocket; returns what it printed."""
        session = uuid.uuid4().hex
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/api/kernels/{kernel_id}/channels?session_id={session}",
            header=[f"Authorization: token {self.token}"],
            timeout=KERNEL_TIMEOUT,
        )
        try:
            msg_id = uuid.uuid4().hex
            header = {"msg_id": msg_id, "msg_type": "execute_request", "session": session}
            content = {"code": code, "silent": False, "store_history": False, "allow_stdin": False}
            ws.send(
                json.dumps(
                    {
                        "channel": "shell",
                        "header": {**header, "username": "test", "version": "5.3"},
                        "parent_header": {},
                        "metadata": {},
                        "content": content,
                    }
                )
            )
            printed, deadline = [], time.monotonic() + KERNEL_TIMEOUT
            while time.monotonic() < deadline:
                message = json.loads(ws.recv())
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, body = message["msg_type"], message["content"]
                if kind == "stream":
                    printed.append(body["text"])
                elif kind == "error":
                    raise AssertionError(f"{body['ename']}: {body['evalue']}")
                elif kind == "status" and body["execution_state"] == "idle":
                    return "".join(printed)
            raise TimeoutError(f"kernel did not finish in {KERNEL_TIMEOUT} s")
        finally:
            ws.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def lab(tmp_path) -> Iterator[Lab]:
    """A :class:`Lab` rooted at the notebooks folder, answering; stopped (killed if need be)
    afterwards."""
    port, token = _free_port(), secrets.token_hex(16)
    stderr = tmp_path / "jupyter.stderr"
    env = {
        **os.environ,
        # Keep the user's Jupyter config and runtime files out of it, and ours out of theirs.
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("jupyter")),
                "lab",
                "--no-browser",
                "--ServerApp.open_browser=False",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0",  # fail rather than serve on another port
                f"--IdentityProvider.token={token}",  # ServerApp.token is deprecated
                f"--ServerApp.root_dir={config.NOTEBOOKS_DIR}",
                # The PyPI extension manager would query the index; nothing here needs it.
                "--LabApp.extension_manager=readonly",
                # CI machines run the tests as root, which Jupyter refuses unless told.
                *(["--allow-root"] if os.geteuid() == 0 else []),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            cwd=tmp_path,
        )
    server = Lab(port, token, process, stderr)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited with {process.returncode}:\n{stderr.read_text()}")
            try:
                server.request("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer in {START_TIMEOUT} s")
                time.sleep(0.2)
        yield server
    finally:
        server.stop()


def test_jupyterlab_serves_notebooks_and_runs_their_kernel(lab):
    listing = lab.request("GET", "/api/contents/")
    notebooks = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
    assert notebooks >= NOTEBOOKS

    specs = lab.request("GET", "/api/kernelspecs")
    assert "python3" in specs["kernelspecs"]  # the notebooks' kernel

    kernel = lab.request("POST", "/api/kernels", {"name": "python3"})
    try:
        # A kernel stays "starting" until a client talks to it, as Lab does on opening a
        # notebook; the notebooks' first cell imports the package, so that is what we run.
        printed = lab.execute(kernel["id"], "import analysis.report; print(analysis.__version__)")
        assert printed.strip() == analysis.__version__
        deadline = time.monotonic() + KERNEL_TIMEOUT
        while True:
            state = lab.request("GET", f"/api/kernels/{kernel['id']}")["execution_state"]
            if state not in {"starting", "busy"} or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert state == "idle", f"kernel {state} after {KERNEL_TIMEOUT} s"
    finally:
        lab.request("DELETE", f"/api/kernels/{kernel['id']}")
    assert kernel["id"] not in {k["id"] for k in lab.request("GET", "/api/kernels")}

    # Stopping is part of the check: a traceback on the way down counts too.
    lab.stop()
    assert "Traceback" not in lab.stderr.read_text(encoding="utf-8", errors="replace")
