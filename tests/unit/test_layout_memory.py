"""What the TUI remembers between runs (pane sizes, the details pane): written privately,
and an odd or broken file never stops the start — it means the defaults."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from vbstui.local.config import PANE_SIZES, LayoutChoice, load_layout, save_layout


def test_a_choice_is_written_privately_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "state" / "layout.json"
    assert save_layout(LayoutChoice(panes="large", details=False), path) is None
    assert load_layout(path) == LayoutChoice(panes="large", details=False)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_pane_sizes_cycle_normal_large_collapsed() -> None:
    choice = LayoutChoice(details=True)
    seen = []
    for _ in range(len(PANE_SIZES) + 1):
        seen.append(choice.panes)
        choice = choice.next_panes()
    assert seen == ["normal", "large", "collapsed", "normal"]
    assert choice.details is True  # cycling the panes keeps the details choice


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]", b'{"panes": "huge"}',
                                     b'{"panes": 3, "details": "yes"}', b"{" * 5000,
                                     b"\xff\xfe"])
def test_an_odd_file_means_the_defaults(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "layout.json"
    path.write_bytes(content)
    assert load_layout(path) == LayoutChoice()


def test_a_missing_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_layout(tmp_path / "nothing.json") == LayoutChoice()


def test_a_directory_others_can_write_is_refused_with_a_reason(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("mode bits are POSIX")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    problem = save_layout(LayoutChoice(panes="large"), shared / "layout.json")
    assert problem is not None and "layout not remembered" in problem
    assert not (shared / "layout.json").exists()
