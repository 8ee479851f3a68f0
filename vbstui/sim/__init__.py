"""Embedded simulator of Open Telekom Cloud IAM + EVS + VBS + CBR (an ASGI application),
with VBS backup policies run on its clock and a second project to share backups with.

Used in-process for `vbstui --demo` and served on loopback by `vbstui sim`. It never
imports the client (`vbstui.cloud`) or Textual: it is an independent model of the
server, so client bugs cannot hide behind shared code.
"""

from vbstui.sim.app import create_app
from vbstui.sim.clock import ManualClock, ScaledClock
from vbstui.sim.config import SimConfig
from vbstui.sim.faults import FaultSpec
from vbstui.sim.persist import SavedWorldError, dump_world, load_world
from vbstui.sim.state import SimState

__all__ = [
    "FaultSpec", "ManualClock", "SavedWorldError", "ScaledClock", "SimConfig", "SimState",
    "create_app",
    "dump_world", "load_world",
]
