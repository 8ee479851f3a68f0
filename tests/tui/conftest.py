import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every TUI test gets its own journal, cache and log directories."""
    for name in ("VBSTUI_STATE_DIR", "VBSTUI_CACHE_DIR", "VBSTUI_LOG_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setenv("VBSTUI_NO_KEYRING", "1")
    for name in ("VBSTUI_PASSWORD", "OS_PASSWORD", "VBSTUI_PROFILE", "VBSTUI_CONFIG", "OS_CLOUD"):
        monkeypatch.delenv(name, raising=False)
