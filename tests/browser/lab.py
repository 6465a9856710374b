"""A JupyterLab server and a Chromium browser for the browser test, each started and stopped here.

``LabServer`` runs ``jupyter lab`` on 127.0.0.1 on a free port, token disabled, rooted at the
repository, with its settings, workspaces and runtime files in a temporary folder of its own, in a
process group of its own; ``stop()`` ends that group and the kernels it started (found by their
connection files in that folder), by process id.  ``chromium(...)`` launches Debian's Chromium
through Playwright (never Playwright's own browser build, which cannot be downloaded here).
"""
import contextlib
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BINRNN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

# JupyterLab settings for a quiet, predictable front end: no news fetched from the internet,
# no update check, and no autosave (the test must never write into the notebooks).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def bytecode_env():
    """os.environ, but with PYTHONPYCACHEPREFIX set (``make test-browser`` sets it), without
    PYTHONDONTWRITEBYTECODE: the bytecode then goes to that scratch folder, never beside the
    sources, and is reused.  Both set, every Python process (the server, each kernel) would
    compile every module it imports from source, every time: 2-3 s more for each."""
    env = dict(os.environ)
    if env.get("PYTHONPYCACHEPREFIX"):
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``jupyter lab`` for one test session; use as a context manager (it always stops)."""

    def __init__(self, log_path, startup_timeout=120):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="binrnn-lab-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = pathlib.Path(log_path)
        self.startup_timeout = startup_timeout
        self.proc = None
        self._ready = False
        self._starting = []     # threads creating sessions (start_kernel_for)

    def start(self):
        """Launch the server and wait until it answers."""
        return self.launch().wait_ready()

    def launch(self):
        """Launch the server without waiting for it (``wait_ready`` does)."""
        settings = self.tmp / "settings"
        for name, value in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        env = dict(bytecode_env(),
                   JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"))
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=",
               # lets this test's own REST calls (shutting kernels down) through; 127.0.0.1 only
               "--ServerApp.disable_check_xsrf=True",
               f"--ServerApp.root_dir={ROOT}",
               f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
               # checkpoints (made when a notebook opens) go to our folder, not notebooks/
               f"--FileCheckpoints.checkpoint_dir={self.tmp / 'checkpoints'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._launched = time.monotonic()
        return self

    def wait_ready(self):
        """Wait until the launched server answers (every 0.1 s, up to ``startup_timeout``)."""
        if self._ready:
            return self
        deadline = self._launched + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {self.proc.returncode} while "
                                   f"starting; its log: {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/api/status", timeout=5) as r:
                    if r.status == 200:
                        self._ready = True
                        return self
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer on {self.url} within "
                                   f"{self.startup_timeout} s; its log: {self.log_path}")
            time.sleep(0.1)

    def api(self, method, path, body=None):
        self.wait_ready()
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, method=method, data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def start_kernel_for(self, notebook):
        """Start the kernel of ``notebook`` (a path) now, in the background, as JupyterLab does
        when it opens a notebook: a session for that path (POST /api/sessions).  JupyterLab,
        opening the notebook later, is given that session and its kernel instead of a new one,
        so the kernel's start-up (seconds of CPU) overlaps what the test does meanwhile."""
        path = pathlib.Path(notebook).resolve()
        kernel = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get(
            "kernelspec", {}).get("name", "python3")
        body = {"path": path.relative_to(ROOT).as_posix(), "type": "notebook",
                "name": path.name, "kernel": {"name": kernel}}

        def post():
            with contextlib.suppress(OSError, urllib.error.URLError, RuntimeError):
                self.api("POST", "/api/sessions", body)   # failing: JupyterLab starts one

        thread = threading.Thread(target=post, daemon=True)
        thread.start()
        self._starting.append(thread)

    def shutdown_kernels(self, keep=(), background=False):
        """Shut every kernel down through the server (what closing a notebook would do), but
        those of the sessions of the notebooks in ``keep`` (paths; see ``start_kernel_for``).
        With ``background``, the kernels are listed now and shut down in a thread."""
        if not self._ready:
            return      # it never answered: it started no kernel
        while self._starting:       # sessions being created: their kernels must be listed as such
            self._starting.pop().join(timeout=60)
        keep = {pathlib.Path(p).resolve().relative_to(ROOT).as_posix() for p in keep}
        try:
            kept = {s["kernel"]["id"] for s in self.api("GET", "/api/sessions")
                    if s.get("path") in keep and s.get("kernel")}
            ids = [k["id"] for k in self.api("GET", "/api/kernels") if k["id"] not in kept]
        except (OSError, urllib.error.URLError):
            return

        def shut_down():
            for kernel in ids:
                with contextlib.suppress(OSError, urllib.error.URLError):
                    self.api("DELETE", f"/api/kernels/{kernel}")

        if background:
            threading.Thread(target=shut_down, daemon=True).start()
        else:
            shut_down()

    def _own_kernel_pids(self):
        """Kernel processes this server started: their command line names our runtime folder."""
        marker = str(self.tmp / "runtime").encode()
        pids = []
        for entry in pathlib.Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if marker in (entry / "cmdline").read_bytes():
                        pids.append(int(entry.name))
        return pids

    def stop(self):
        if self.proc is not None:
            self.shutdown_kernels()
            kernels = self._own_kernel_pids()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
            for pid in kernels:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self._log.close()
            self.proc = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


@contextlib.contextmanager
def chromium(playwright, viewport=(1400, 1000)):
    """A Chromium browser context with a fresh profile in a temporary folder (removed after).
    Its config and cache folders (crash reports, dconf) go there too, not into the home directory."""
    profile = tempfile.mkdtemp(prefix="binrnn-chromium-")
    context = None
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(profile, "config"),
               XDG_CACHE_HOME=os.path.join(profile, "cache"))
    try:
        context = playwright.chromium.launch_persistent_context(
            os.path.join(profile, "user-data"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": viewport[0], "height": viewport[1]}, env=env)
        yield context
    finally:
        if context is not None:
            context.close()
        shutil.rmtree(profile, ignore_errors=True)
