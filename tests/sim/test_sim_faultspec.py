"""The --faults grammar and the seeded fault dice."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbstui.sim import FaultSpec, SimConfig
from vbstui.sim.injector import CREATE_FAILURES, FaultInjector


def test_full_example_parses() -> None:
    spec = FaultSpec.parse(
        "latency=0.2,5xx=0.1,429=0.05,retry_after=2,drop=0.1,job_fail=0.2,token_expiry=30,seed=7"
    )
    assert spec.latency == (0.2, 0.2)
    assert spec.error_500 == spec.error_502 == spec.error_503 == spec.error_504 == 0.025
    assert spec.throttle == 0.05
    assert spec.retry_after == 2
    assert spec.drop == 0.1
    assert spec.job_fail == 0.2
    assert spec.token_expiry == 30
    assert spec.seed == 7
    assert not spec.auth


def test_latency_range_codes_and_scope() -> None:
    spec = FaultSpec.parse(" latency=0.05-0.3 , 502=0.2, 5xx=0.4, methods=post|delete, "
                           "paths=cloudbackups|jobs, auth=true")
    assert spec.latency == (0.05, 0.3)
    assert spec.error_502 == pytest.approx(0.3)
    assert spec.error_500 == pytest.approx(0.1)
    assert spec.methods == frozenset({"POST", "DELETE"})
    assert spec.paths == ("cloudbackups", "jobs")
    assert spec.auth


@pytest.mark.parametrize("text", ["", "none", "off", " NONE "])
def test_empty_means_no_faults(text: str) -> None:
    assert FaultSpec.parse(text) == FaultSpec()
    assert not FaultSpec.parse(text).affects_requests


@pytest.mark.parametrize(("text", "named"), [
    ("bogus=1", "bogus"),
    ("latency", "latency"),
    ("5xx=abc", "5xx"),
    ("5xx=1.5", "5xx"),
    ("drop=-0.1", "drop"),
    ("latency=0.3-0.1", "latency"),
    ("latency=x-1", "latency"),
    ("retry_after=1.5", "retry_after"),
    ("token_expiry=0", "token_expiry"),
    ("seed=seven", "seed"),
    ("methods=FETCH", "methods"),
    ("paths=", "paths"),
    ("auth=maybe", "auth"),
    ("drop=0.1,drop=0.2", "drop"),
    ("job_fail=2", "job_fail"),
])
def test_invalid_specs_name_the_bad_key(text: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        FaultSpec.parse(text)


def test_rates_above_one_in_total_are_refused() -> None:
    with pytest.raises(ValueError, match="more than 1"):
        FaultSpec.parse("5xx=0.6,drop=0.5")


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(ValueError, match="drop"):
        FaultSpec(drop=2.0)


@given(
    latency=st.tuples(st.floats(0, 1), st.floats(0, 1)).map(sorted),
    rates=st.lists(st.sampled_from([0.0, 0.05, 0.1]), min_size=6, max_size=6),
    job_fail=st.sampled_from([0.0, 0.5]),
    seed=st.none() | st.integers(0, 100),
)
def test_to_text_round_trips(latency: list[float], rates: list[float], job_fail: float,
                             seed: int | None) -> None:
    spec = FaultSpec(latency=(latency[0], latency[1]), error_500=rates[0], error_502=rates[1],
                     error_503=rates[2], error_504=rates[3], throttle=rates[4], drop=rates[5],
                     retry_after=3, job_fail=job_fail, seed=seed,
                     methods=frozenset({"POST"}), paths=("backups",))
    again = FaultSpec.parse(spec.to_text())
    assert again.rates() == pytest.approx(spec.rates())
    assert again.latency == pytest.approx(spec.latency, abs=1e-5)
    assert (again.job_fail, again.seed, again.methods, again.paths) == (
        spec.job_fail, spec.seed, spec.methods, spec.paths)


def test_scope_rules() -> None:
    spec = FaultSpec.parse("5xx=1,methods=POST,paths=cloudbackups")
    assert spec.applies_to("POST", "/v2/p/cloudbackups", is_auth=False)
    assert not spec.applies_to("GET", "/v2/p/cloudbackups", is_auth=False)
    assert not spec.applies_to("POST", "/v2/p/backups/x", is_auth=False)
    assert not FaultSpec.parse("5xx=1").applies_to("GET", "/_sim/state", is_auth=False)
    assert not FaultSpec.parse("5xx=1").applies_to("POST", "/v3/auth/tokens", is_auth=True)
    assert FaultSpec.parse("5xx=1,auth=1").applies_to("POST", "/v3/auth/tokens", is_auth=True)


def _outcomes(spec: FaultSpec, seed: int, n: int = 200) -> list[object]:
    injector = FaultInjector(spec, seed)
    return [injector.decide("GET", "/v2/p/backups/detail", is_auth=False).outcome
            for _ in range(n)]


def test_injector_is_deterministic_and_respects_rates() -> None:
    spec = FaultSpec.parse("5xx=0.2,429=0.1,drop=0.1")
    first, second = _outcomes(spec, 1), _outcomes(spec, 1)
    assert first == second
    assert first != _outcomes(spec, 2)
    assert set(first) <= {None, 429, 500, 502, 503, 504, "drop"}
    assert 0.25 < sum(o is not None for o in first) / len(first) < 0.55
    # The spec's own seed wins over the simulator's.
    seeded = FaultSpec.parse("5xx=0.2,429=0.1,drop=0.1,seed=9")
    assert _outcomes(seeded, 1) == _outcomes(seeded, 2)


def test_latency_is_drawn_within_range() -> None:
    injector = FaultInjector(FaultSpec.parse("latency=0.05-0.3"), 1)
    values = [injector.decide("GET", "/x", is_auth=False).latency for _ in range(100)]
    assert all(0.05 <= v <= 0.3 for v in values)
    assert len(set(values)) > 50


def test_job_failures_follow_the_rate() -> None:
    always = FaultInjector(FaultSpec(job_fail=1.0), 1)
    assert always.job_failure(CREATE_FAILURES) in CREATE_FAILURES
    never = FaultInjector(FaultSpec(), 1)
    assert never.job_failure(CREATE_FAILURES) is None


def test_sim_config_default_faults_are_off() -> None:
    assert SimConfig().faults == FaultSpec()
    assert len(SimConfig().project_id) == 32
    assert SimConfig(seed=2).project_id != SimConfig(seed=1).project_id
