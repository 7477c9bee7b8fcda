"""JupyterLab, as an explorer uses it: opening a committed notebook must not change it. Lab used
to rewrite the kernel's display name on open, and autosave then rewrote the outputs nbval
compares against without anyone saving (issue 21)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from casualty_report.publishing.notebooks import find_notebooks

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AUTOSAVE = 2  # seconds: Lab's default is 120; the test waits past several autosaves


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on loopback over a copy of the committed notebooks, autosaving every few seconds."""
    root = tmp_path / "root"
    shutil.copytree(find_notebooks()[0].parent, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = tmp_path / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosaveInterval": AUTOSAVE}))
    port, token = _free_port(), "test-token"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--allow-root",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            f"--LabServerApp.user_settings_dir={tmp_path / 'settings'}",
            f"--ServerApp.runtime_dir={tmp_path / 'runtime'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config")},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "JupyterLab did not start"
            time.sleep(0.3)
    yield base, token, root
    server.terminate()
    server.wait(timeout=30)


def test_opening_committed_notebooks_in_jupyterlab_leaves_their_bytes(lab):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install it")
        pytest.skip("Chromium is not installed here; CI runs this test")
    from playwright.sync_api import sync_playwright

    base, token, root = lab
    opened = sorted(root.glob("0[12]-*.ipynb"))  # a table page and a chart page
    before = {path.name: path.read_bytes() for path in opened}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for path in opened:
            page.goto(f"{base}/lab/tree/{path.name}?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            # the kernel started and answered: the status bar reads 'Python 3 (ipykernel) | Idle'
            page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=60_000)
            time.sleep(3 * AUTOSAVE)
            dirty = page.locator(".jp-mod-current.jp-mod-dirty, li.lm-TabBar-tab.jp-mod-dirty").count()
            assert dirty == 0, f"{path.name} is marked modified just by opening it"
        browser.close()
    assert {path.name: path.read_bytes() for path in opened} == before
