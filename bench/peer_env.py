"""The peer's own virtualenv: python-openstackclient + otcextensions, for side-by-side benchmarks.

    python bench/peer_env.py        # creates or reuses bench/.peer-venv; prints its `openstack`

Benchmarks only (bench/peer.py, bench/startup.py): never installed by CI or the README
commands, and kept apart from the project's venv so the peer's dependencies cannot change
what vbstui is measured with. Gitignored.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

PEER_VENV = Path(__file__).resolve().parent / ".peer-venv"
PEER_PACKAGES = ("python-openstackclient", "otcextensions")


def _bin(venv_dir: Path, name: str) -> Path:
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    suffix = ".exe" if sys.platform == "win32" else ""
    return venv_dir / scripts / f"{name}{suffix}"


def _works(openstack: Path) -> bool:
    """The client starts and the OTC extensions are importable in the same interpreter."""
    if not openstack.is_file():
        return False
    checks = (
        [str(openstack), "--version"],
        [str(_bin(openstack.parent.parent, "python")), "-c", "import otcextensions"],
    )
    for argv in checks:
        try:
            done = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL,
                                  timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if done.returncode != 0:
            return False
    return True


def peer_openstack(venv_dir: Path = PEER_VENV) -> Path:
    """The `openstack` executable of the peer virtualenv, creating or repairing it if needed."""
    openstack = _bin(venv_dir, "openstack")
    if _works(openstack):
        return openstack
    print(f"installing {' + '.join(PEER_PACKAGES)} into {venv_dir} ...", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=venv_dir.exists()).create(venv_dir)
    pip = [str(_bin(venv_dir, "python")), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", *PEER_PACKAGES], stdin=subprocess.DEVNULL, check=True)
    if not _works(openstack):
        raise SystemExit(f"{openstack} does not start after installing {PEER_PACKAGES}")
    return openstack


def existing_peer_openstack(venv_dir: Path = PEER_VENV) -> Path | None:
    """The peer's `openstack` if the virtualenv is already there; never installs anything."""
    openstack = _bin(venv_dir, "openstack")
    return openstack if openstack.is_file() else None


if __name__ == "__main__":
    print(peer_openstack())
