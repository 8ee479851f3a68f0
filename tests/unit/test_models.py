"""Lenient parsing: odd, missing and mistyped fields never crash, raw JSON is kept."""

from __future__ import annotations

from datetime import timezone

import pytest

from vbstui.cloud.models import Backup, Job, Quota, Volume, as_int, as_time


def test_volume_with_everything_missing_or_null() -> None:
    for raw in ({}, None, [], "x", {"id": None, "name": None, "size": None, "attachments": None}):
        volume = Volume.from_api(raw)
        assert volume.status == "unknown"
        assert volume.size_gb is None
        assert volume.attachments == ()
        assert not volume.backupable


def test_volume_numbers_as_strings_and_unknown_fields_kept() -> None:
    raw = {"id": "v1", "name": "db", "status": "IN-USE", "size": "100", "bootable": "true",
           "attachments": [{"server_id": "s1", "device": "/dev/vdb"}, "junk"],
           "created_at": "2016-05-25T02:42:10.856332", "x-new-field": {"a": 1}}
    volume = Volume.from_api(raw)
    assert volume.size_gb == 100
    assert volume.status == "in-use" and volume.backupable
    assert volume.bootable is True
    assert volume.attached_to == "s1"
    assert volume.created_at is not None and volume.created_at.tzinfo == timezone.utc
    assert volume.raw["x-new-field"] == {"a": 1}


def test_why_not_backupable_names_the_status() -> None:
    reason = Volume.from_api({"id": "v", "name": "d", "status": "backing-up"}).why_not_backupable()
    assert reason is not None and "backing-up" in reason and "already running" in reason
    assert Volume.from_api({"status": "available"}).why_not_backupable() is None


def test_backup_description_is_json_string_with_desc_and_inc() -> None:
    backup = Backup.from_api({
        "id": "b", "description": '{"DESC": "nightly [/bold] run", "INC": 1}',
        "service_metadata": ' {"bootable": false, "Type": 0, "progress": "0"} ',
        "size": 10.0, "created_at": "2019-03-27T12:36:17.596602Z",
    })
    assert backup.description == "nightly [/bold] run"
    assert backup.incremental is True
    assert backup.service_metadata["Type"] == 0
    assert backup.size_gb == 10


def test_backup_plain_and_broken_descriptions() -> None:
    assert Backup.from_api({"description": "just text"}).description == "just text"
    assert Backup.from_api({"description": '{"DESC": '}).description == '{"DESC": '
    assert Backup.from_api({"description": 42}).description == "42"
    incremental = Backup.from_api({"service_metadata": '{"Type": 1}'}).incremental
    assert incremental is True


def test_job_parsing_and_sub_jobs() -> None:
    job = Job.from_api({"status": "fail", "sub_jobs": [
        {"status": "FAIL", "error_code": "VolumeBackup.0064", "entities": {"backup_id": "b2"}}],
        "entities": None, "begin_time": "2016-01-28T16:14:09.466Z"}, job_id="j9")
    assert job.job_id == "j9" and job.status == "FAIL" and job.finished
    assert job.failure_code == "VolumeBackup.0064"
    assert job.backup_id == "b2"
    assert job.begin_time is not None and job.begin_time.microsecond == 466000


def test_quota_with_documented_typo_and_unlimited() -> None:
    quota = Quota.from_api({"quotas": {"resources": [
        {"type": "backups", "used": "114", "reserved": 0, "quota": 120},
        {"type": "backup_ gigabytes", "used": 4838, "reserved": 0, "quota": -1},
        "junk",
    ]}})
    assert quota.backups is not None and quota.backups.remaining == 6
    assert quota.gigabytes is not None and quota.gigabytes.unlimited
    assert quota.shortfall(backups=7, gigabytes=10**6) == [
        "backup quota: 114 of 120 used, 6 left, 7 requested"]
    assert Quota.from_api(None).resources == {}


@pytest.mark.parametrize(("text", "ok"), [
    ("2016-01-28T16:14:09.466Z", True), ("2016-01-28T16:14:09", True),
    ("2016-01-28 16:14:09.1234567", True), ("2016-01-28T16:14:09+08:00", True),
    ("yesterday", False), ("", False),
])
def test_timestamps(text: str, ok: bool) -> None:
    parsed = as_time(text)
    assert (parsed is not None) is ok
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_numbers() -> None:
    assert as_int("12") == 12 and as_int("12.7") == 12 and as_int(True) == 1
    assert as_int("nan") is None and as_int(float("inf")) is None and as_int({}) is None
