"""Jobs: the job model, the tracker (journal and events), reconcile and follow."""

from vbstui.jobs.model import (
    JobEvent,
    Kind,
    Listener,
    Phase,
    PollSchedule,
    ReconcilePolicy,
    Severity,
    TrackedJob,
    duration_text,
)
from vbstui.jobs.tracker import JobTracker

__all__ = ["JobEvent", "JobTracker", "Kind", "Listener", "Phase", "PollSchedule",
           "ReconcilePolicy", "Severity", "TrackedJob", "duration_text"]
