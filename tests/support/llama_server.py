"""A real OpenAI-compatible server (llama-cpp-python's own) on 127.0.0.1 with the bundled model, for tests."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
import pytest

from offline_report.llm.models import bundled_model_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing_real_server() -> str | None:
    for module in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install 'llama-cpp-python[server]')"
    if bundled_model_path() is None:
        return "the bundled model is not installed (pip install -e '.[tiny-model]')"
    return None


@contextmanager
def llama_server(log_dir, n_ctx: int = 2048):
    """Yields the server's base URL (…/v1); stops the server on exit. Skips (fails under CI) when it cannot run."""
    missing = _missing_real_server()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must be able to run llama_cpp.server: {missing}")
        pytest.skip(missing)
    port = _free_port()
    log_path = log_dir / "server.log"
    log = open(log_path, "w")  # a file, not a pipe: llama.cpp logs enough to fill a pipe and block the server
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", bundled_model_path(),
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start within 120 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
