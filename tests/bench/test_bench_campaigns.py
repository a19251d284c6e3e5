"""The campaign copies the benchmark runs: they load and pass the SDK's own checks."""

import pytest
import yaml

from bench.campaigns import EXAMPLE, NAME_PREFIX, _remove_records, _renamed, prepare_example, write_synthetic
from merit.campaign import load_campaign
from merit.entrants import read_entrants

SECRET = "benchmark-test-secret-of-at-least-32-bytes"


@pytest.fixture
def secret(monkeypatch) -> bytes:
    monkeypatch.setenv("MERIT_HMAC_SECRET", SECRET)
    return SECRET.encode()


def test_synthetic_campaign_rows_are_all_accepted(tmp_path, secret):
    path = write_synthetic(tmp_path, 1_001, editions=3, supply_scale=0.1)

    campaign = load_campaign(path)

    assert campaign.name == f"{NAME_PREFIX}synthetic-1001"
    assert [edition.id for edition in campaign.editions] == ["xiazhi", "dashu", "liqiu"]
    counts = []
    for edition in campaign.editions:
        entrants = read_entrants(campaign, edition.id, secret)
        assert entrants.rejections == ()
        counts.append(sum(entrants.counts().values()))
        assert entrants.counts()["new-users"] == entrants.row_count * 35 // 100
    assert counts == [334, 334, 333]


def test_synthetic_campaign_scales_supply(tmp_path, secret):
    example = yaml.safe_load(write_synthetic(tmp_path, 100).read_text())
    small = yaml.safe_load(write_synthetic(tmp_path / "small", 100, supply_scale=0.1).read_text())

    assert [edition["supply"] for edition in small["editions"]] == [
        round(edition["supply"] * 0.1) for edition in example["editions"]
    ]


def test_synthetic_addresses_differ_between_editions(tmp_path, secret):
    campaign = load_campaign(write_synthetic(tmp_path, 200, editions=2))

    first, second = (set(read_entrants(campaign, edition.id, secret).addresses("learners")) for edition in campaign.editions)
    assert first
    assert not first & second


def test_example_copy_keeps_everything_but_the_name(tmp_path, secret):
    original = load_campaign(EXAMPLE / "campaign.yaml")

    copy = load_campaign(prepare_example(tmp_path))

    assert copy.name == NAME_PREFIX + original.name
    assert copy.editions == original.editions
    assert copy.channels == original.channels
    for edition in copy.editions:
        assert copy.resolve(edition.entrants).read_bytes() == original.resolve(edition.entrants).read_bytes()


def test_renaming_needs_a_name_line():
    assert _renamed("# campaign\nname: demo\ntitle: x\n", "bench-demo") == "# campaign\nname: bench-demo\ntitle: x\n"
    with pytest.raises(ValueError, match="no top-level `name:`"):
        _renamed("title: x\n", "bench-demo")


def test_records_of_other_campaigns_are_never_removed():
    with pytest.raises(ValueError, match="owns only"):
        _remove_records("palace-solar-terms-2022")
