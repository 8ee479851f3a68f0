"""CBR models parse the reference examples, the messy variants and any JSON at all."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from vbstui.cloud import http
from vbstui.cloud.cbr_models import (
    CbrBackup,
    Checkpoint,
    OperationLog,
    Vault,
    filter_time,
)
from vbstui.cloud.errors import ResponseFormatError

MODELS = (Vault, Checkpoint, CbrBackup, OperationLog)


def test_vault_with_numbers_as_strings_and_everything_else_missing() -> None:
    vault = Vault.from_api({"id": "v", "billing": {"size": "100", "used": 1536.0,
                                                   "object_type": "DISK"},
                            "enterprise_project_id": 0, "resources": [None, {"size": "7"}]})
    assert (vault.size_gb, vault.used_mb, vault.free_mb) == (100, 1536, 100 * 1024 - 1536)
    assert vault.is_disk_vault and vault.enterprise_project_id == "0"
    assert vault.status == "unknown" and vault.resources[1].size_gb == 7
    assert Vault.from_api(None).free_gb is None


def test_vault_over_full_has_no_negative_room() -> None:
    vault = Vault.from_api({"billing": {"size": 1, "used": 5000},
                            "resources": [{"id": str(i)} for i in range(300)]})
    assert vault.free_mb == 0 and vault.resource_room == 0


def test_timestamps_with_offset_zulu_or_none_and_filters_get_z() -> None:
    for text in ("2019-05-10T07:59:12.733+00:00", "2019-05-10T07:59:12.733Z",
                 "2019-05-10T07:59:12.733"):
        created = CbrBackup.from_api({"created_at": text}).created_at
        assert created == datetime(2019, 5, 10, 7, 59, 12, 733000, tzinfo=timezone.utc)
    assert CbrBackup.from_api({"created_at": 12}).created_at is None
    cet = timezone(timedelta(hours=1))
    assert filter_time(datetime(2018, 2, 1, 13, 0, tzinfo=cet)) == "2018-02-01T12:00:00Z"
    assert filter_time(datetime(2018, 2, 1, 12, 0)) == "2018-02-01T12:00:00Z"


def test_task_failure_and_odd_progress() -> None:
    task = OperationLog.from_api({"status": "FAILED", "error_info": {
        "code": " BackupService.6114 ", "message": "full"}, "extra_info": {
        "common": {"progress": 250}, "restore": {"backup_id": "b", "target_resource_id": "d"}}})
    assert task.failed and task.finished and task.error_code == "BackupService.6114"
    assert task.progress == 100 and task.backup_id == "b" and task.target_resource_id == "d"
    assert OperationLog.from_api({"error_info": "", "extra_info": []}).error_code == ""


def test_hostile_strings_are_kept_verbatim_for_the_display_layer_to_make_safe() -> None:
    name = "\x1b]52;c;ZXZpbA==\x07[red]x" + "y" * 100_000
    backup = CbrBackup.from_api({"name": name, "id": 5})
    assert backup.name == name and backup.id == "5" and backup.raw["name"] == name


def test_unknown_fields_are_kept_in_raw() -> None:
    raw = {"id": "c", "future_field": {"a": 1}}
    assert Checkpoint.from_api(raw).raw["future_field"] == {"a": 1}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(
        ["id", "name", "status", "billing", "size", "used", "resources", "vault",
         "skipped_resources", "extra_info", "extend_info", "children", "error_info", "common",
         "progress", "created_at", "code", "tags", "backup", "restore", "resource",
         "incremental", "resource_size", "enterprise_project_id"]) | st.text(max_size=5),
        children, max_size=6),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_value_gives_a_model(value: Any) -> None:
    for model in MODELS:
        parsed = model.from_api(value)
        assert isinstance(parsed, model)
    vault = Vault.from_api(value)
    _ = (vault.free_gb, vault.disk_ids, vault.resource_room)
    _ = Checkpoint.from_api(value).skipped_ids()
    task = OperationLog.from_api(value)
    _ = (task.finished, task.failed)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_any_body_gives_a_model_or_a_format_error(body: bytes) -> None:
    response = httpx.Response(200, content=body)
    try:
        data = http.json_object(response)
    except ResponseFormatError:
        return
    for model in MODELS:
        assert isinstance(model.from_api(data.get("vault", data)), model)


def test_deeply_nested_body_is_a_format_error() -> None:
    body = ('{"vault": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}").encode()
    try:
        http.json_object(httpx.Response(200, content=body))
    except ResponseFormatError as exc:
        assert "nested" in str(exc)
    else:
        raise AssertionError("a body nested 500 levels deep was accepted")
