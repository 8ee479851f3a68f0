"""The backup form's "Into" line: where the backups go — a CBR vault with its free
capacity, or VBS — and, for a disk in no vault, where it could go as the operations
layer explains it (`vbstui.ops.vaults.backup_destinations`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text

from vbstui.cloud.models import Volume
from vbstui.ops.preflight import Preflight, gb_text
from vbstui.ops.routing import Route
from vbstui.ops.vaults import Destinations
from vbstui.textsafe import plural, visible


def route_text(route: Route) -> Text:
    if route.service != "cbr" or route.vault is None:
        return Text("VBS (Volume Backup Service)")
    vault = route.vault
    text = Text(f"CBR vault '{visible(vault.name)}'", style="bold")
    if vault.free_mb is not None:
        text.append(f"  {gb_text(vault.free_mb)} free of {vault.size_gb} GB")
    return text


def _run_text(volumes: Sequence[Volume], checked: Preflight,
              vault_name: Callable[[str], str]) -> Text:
    text = Text("Into ", style="bold")
    if len(volumes) == 1:
        text.append_text(route_text(checked.route(volumes[0].id)))
        return text
    counts: dict[str, int] = {}
    for volume in volumes:
        route = checked.route(volume.id)
        label = (f"CBR vault '{visible(vault_name(route.vault_id))}'"
                 if route.service == "cbr" else "VBS")
        counts[label] = counts.get(label, 0) + 1
    text.append(" · ".join(f"{label}: {plural(n, 'disk')}" for label, n in counts.items()))
    if any(label.startswith("CBR") for label in counts):
        text.append(" (one checkpoint per vault: its disks share the name)", style="dim")
    return text


def destination_text(volumes: Sequence[Volume], checked: Preflight | None,
                     destinations: Destinations | None,
                     vault_name: Callable[[str], str]) -> Text:
    """Empty for a project without CBR (every backup goes to VBS, as always)."""
    cbr_run = checked is not None and any(r.service == "cbr" for r in checked.routes.values())
    if not cbr_run and destinations is None:
        return Text()
    text = _run_text(volumes, checked, vault_name) if (
        checked is not None and volumes) else Text()
    if destinations is not None and not destinations.sendable:
        text.append(("\n" if text else "") + destinations.explanation)
        for choice in destinations.choices:
            text.append(f"\n  • {visible(choice.label)}")
        if destinations.choices:
            text.append("\nTo add it: mark the disk (space), open the vaults view (F12) and "
                        "press a on the vault", style="dim")
        else:
            text.append("\nTo create one: n in the vaults view (F12)", style="dim")
    elif destinations is not None and destinations.current is not None and (
            destinations.current.service == "vbs" and len(destinations.choices) > 1):
        text.append("\n" + destinations.explanation, style="dim")
    return text
