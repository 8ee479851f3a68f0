"""Following a run's jobs on the terminal, the unknown-outcome question, the exit code."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from vbstui.cli.prompts import ask
from vbstui.errors import ExitCode
from vbstui.jobs import Phase, TrackedJob
from vbstui.ops.guard import Guard
from vbstui.ops.outcome import Decision, decide, submit_again_problem, what_may_exist

if TYPE_CHECKING:  # the tracker is not loaded by commands that only list
    from vbstui.jobs.tracker import JobTracker

ANSWERS = {"c": Decision.CHECK, "s": Decision.SUBMIT_AGAIN, "a": Decision.GIVE_UP}


async def settle_unknown(tracker: JobTracker, job: TrackedJob, guard: Guard) -> None:
    """Outcome unknown: on a terminal, the user checks again, submits again or gives up.
    Without a terminal the job stays unknown (exit 4) and `vbstui jobs` can settle it."""
    while job.phase is Phase.UNKNOWN and sys.stdin.isatty():
        again = submit_again_problem(job) is None
        offer = f"s = submit again ({what_may_exist(job)}), " if again else ""
        answer = await asyncio.to_thread(
            ask, f"The outcome of '{job.label}' is unknown. c = check again, {offer}a = give up",
            "csa" if again else "ca",
        )
        await decide(tracker, job, ANSWERS.get(answer, Decision.GIVE_UP), guard)


async def follow_all(tracker: JobTracker, jobs: list[TrackedJob], timeout: float | None
                     ) -> bool:
    """Follow the running jobs (the tracker's request slots bound the polls in flight);
    False when the timeout expired."""
    follows = [tracker.follow(job) for job in jobs if job.phase is Phase.RUNNING]
    if not follows:
        return True
    try:
        await asyncio.wait_for(asyncio.gather(*follows), timeout)
    except asyncio.TimeoutError:
        return False
    return True


def exit_code_for_jobs(jobs: list[TrackedJob], timed_out: bool) -> ExitCode:
    """Failure beats unknown beats timeout: a script must never read "nothing happened"
    when something may have."""
    if any(j.phase in (Phase.REFUSED, Phase.FAILED) for j in jobs):
        return ExitCode.FAILED
    if any(j.phase in (Phase.UNKNOWN, Phase.CANCELLED, Phase.SUBMITTING, Phase.RECONCILING)
           for j in jobs):  # sent, or maybe sent, and no word of what happened
        return ExitCode.UNKNOWN
    if timed_out:
        return ExitCode.TIMEOUT
    return ExitCode.OK
