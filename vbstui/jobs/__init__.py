"""Jobs: the job model, the tracker (journal and events), reconcile and follow."""

from vbstui.jobs.tracker import *  # noqa: F403
from vbstui.jobs.tracker import (
    JobEvent,
    JobTracker,
    Kind,
    Listener,
    Phase,
    PollSchedule,
    ReconcilePolicy,
    Severity,
    TrackedJob,
)

__all__ = ["JobEvent", "JobTracker", "Kind", "Listener", "Phase", "PollSchedule",
           "ReconcilePolicy", "Severity", "TrackedJob"]
