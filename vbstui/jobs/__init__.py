"""Jobs: the job model here; the tracker (journal and events), its timings, reconcile
and follow in their modules (`vbstui.jobs.tracker`, `vbstui.jobs.timing` ...), which a
listing never needs to load."""

from vbstui.jobs.model import (
    JobEvent,
    Kind,
    Listener,
    Phase,
    Severity,
    TrackedJob,
    duration_text,
)

__all__ = ["JobEvent", "Kind", "Listener", "Phase", "Severity", "TrackedJob", "duration_text"]
