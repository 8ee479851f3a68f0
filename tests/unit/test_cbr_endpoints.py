"""Which backup services a project has: from the token catalog, overrides and a pin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from cloudfake import EVS, PROJECT, VBS, FakeCloud, session

from vbstui.cloud.endpoints import offered_services, resolve
from vbstui.cloud.errors import ConnectionSettingsError, EndpointNotFound
from vbstui.errors import ConfigError
from vbstui.local.config import load_config

CBR = f"https://cbr.example.test/v3/{PROJECT}"


def entry(kind: str, url: str) -> dict[str, Any]:
    return {"type": kind, "endpoints": [{"url": url, "region": "eu-de", "interface": "public"}]}


EVS_ONLY = [entry("evs", EVS)]
VBS_ONLY = [*EVS_ONLY, entry("vbsv2", VBS)]
CBR_ONLY = [*EVS_ONLY, entry("cbr", CBR)]
BOTH = [*EVS_ONLY, entry("volume-backup", VBS), entry("cbr", CBR)]


def endpoints(catalog: list[Any], **options: Any) -> Any:
    return resolve(catalog, region="eu-de", vbs_override=options.pop("vbs", None),
                   evs_override=None, allow_http=False, **options)


@pytest.mark.parametrize(("catalog", "services"), [
    (VBS_ONLY, ("vbs",)), (CBR_ONLY, ("cbr",)), (BOTH, ("vbs", "cbr")), (EVS_ONLY, ()),
])
def test_catalog_decides_the_backup_services(catalog: list[Any],
                                             services: tuple[str, ...]) -> None:
    found = endpoints(catalog)
    assert found.backup_services == services
    assert offered_services(catalog, region="eu-de") == services
    if "cbr" in services:
        assert found.root("cbr") == "https://cbr.example.test"


def test_cbr_only_project_never_says_vbs_is_missing_unless_vbs_is_called() -> None:
    found = endpoints(CBR_ONLY)
    assert found.require_backup_service() == ("cbr",)
    with pytest.raises(EndpointNotFound) as info:
        found.root("vbs")
    assert "VBS is not available" in str(info.value)
    assert "this project uses CBR" in info.value.describe()


def test_no_backup_service_at_all_names_both() -> None:
    with pytest.raises(EndpointNotFound) as info:
        endpoints(EVS_ONLY).require_backup_service()
    assert "neither" in str(info.value) and "CBR" in str(info.value) and "VBS" in str(info.value)


def test_pin_keeps_one_service_and_says_why_the_other_is_off() -> None:
    found = endpoints(BOTH, pin="cbr")
    assert found.backup_services == ("cbr",) and found.offered == ("vbs", "cbr")
    with pytest.raises(EndpointNotFound) as info:
        found.root("vbs")
    assert 'backup_service = "cbr"' in str(info.value)
    with pytest.raises(EndpointNotFound):
        endpoints(VBS_ONLY, pin="cbr").require_backup_service()
    with pytest.raises(ConnectionSettingsError):
        endpoints(BOTH, pin="both")


def test_override_adds_a_service_the_catalog_lacks_and_is_checked() -> None:
    found = endpoints(VBS_ONLY, cbr_override="https://cbr.eu-nl.otc.t-systems.com/v3/x")
    assert found.backup_services == ("vbs", "cbr")
    assert found.root("cbr") == "https://cbr.eu-nl.otc.t-systems.com"
    with pytest.raises(ConnectionSettingsError):
        endpoints(VBS_ONLY, cbr_override="http://cbr.evil.test/v3")


async def test_session_on_a_cbr_only_project_reaches_cbr_with_the_override() -> None:
    fake = FakeCloud(lambda r: httpx.Response(200, json={"vaults": [], "count": 0}),
                     catalog=EVS_ONLY)
    async with session(fake, cbr_endpoint="https://cbr.other.test") as s:
        assert await s.cbr.list_vaults() == []
        assert (await s.endpoints()).backup_services == ("cbr",)
    assert fake.requests[-1].url.host == "cbr.other.test"
    assert fake.requests[-1].url.path == f"/v3/{PROJECT}/vaults"


CONFIG = """
[profiles.p]
auth_url = "https://iam.eu-de.otc.t-systems.com/v3"
username = "u"
user_domain_name = "OTC-EU-DE-1"
project_name = "eu-de_x"
{extra}
"""


def test_profile_sets_cbr_endpoint_and_pins_a_service(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(extra='backup_service = "cbr"\n[profiles.p.endpoints]\n'
                                        'cbr = "https://cbr.example.test"'))
    path.chmod(0o600)
    profile = load_config(path).profiles["p"]
    settings = profile.connection()
    assert (settings.cbr_endpoint, settings.backup_service) == ("https://cbr.example.test",
                                                                "cbr")
    path.write_text(CONFIG.format(extra='backup_service = "auto"'))
    assert load_config(path).profiles["p"].connection().backup_service is None
    path.write_text(CONFIG.format(extra='backup_service = "csbs"'))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "backup_service" in str(info.value)
