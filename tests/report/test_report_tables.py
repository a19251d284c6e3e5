"""report.json and report.csv: round trip, byte stability, rows and values, spreadsheet safety."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from merit.report import (
    BilingualText,
    CampaignReport,
    ReportFileError,
    load_report,
    render_csv,
    render_json,
)
from merit.report.render_tables import CSV_COLUMNS
from report_samples import (
    base_fields,
    failed_round_report,
    many_editions_report,
    one_edition_report,
    sample_report,
    seeded_edition,
    zero_issued_report,
)

REPORTS = {
    "sample": sample_report,
    "zero-issued": zero_issued_report,
    "failed-round": failed_round_report,
    "one-edition": one_edition_report,
    "many-editions": lambda: many_editions_report(40),
}


def csv_rows(report: CampaignReport) -> list[dict[str, str]]:
    text = render_csv(report).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("name", REPORTS)
def test_json_round_trips_into_model(name: str, tmp_path: Path) -> None:
    report = REPORTS[name]()
    path = tmp_path / "report.json"
    path.write_bytes(render_json(report))

    loaded = load_report(path)

    assert loaded == report
    assert render_json(loaded) == render_json(report)


def test_json_is_utf8_with_chinese_text_as_is() -> None:
    content = render_json(sample_report())

    assert "夏至".encode() in content
    assert b"\\u590f" not in content
    assert content.endswith(b"}\n")


def test_json_keys_follow_field_order() -> None:
    document = json.loads(render_json(sample_report()))

    assert list(document) == list(CampaignReport.model_fields)
    assert list(document["editions"][0]) == list(type(sample_report().editions[0]).model_fields)


def test_json_bytes_are_stable() -> None:
    assert render_json(sample_report()) == render_json(sample_report())


def test_load_report_lists_every_problem(tmp_path: Path) -> None:
    document = json.loads(render_json(sample_report()))
    document["editions"][0]["pools"][0]["winners"] = 10**6
    document["randomness"] = "dice"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(ReportFileError) as raised:
        load_report(path)

    assert len(raised.value.problems) == 2
    assert "randomness" in str(raised.value)
    assert "K must not exceed N" in str(raised.value)


def test_load_report_of_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError, match="Failed to read the report"):
        load_report(tmp_path / "missing.json")


def test_csv_starts_with_bom_and_header() -> None:
    content = render_csv(sample_report())

    assert content.startswith(b"\xef\xbb\xbf")
    header = content[3:].split(b"\r\n", 1)[0].decode("utf-8")
    assert header == ",".join(CSV_COLUMNS)


@pytest.mark.parametrize("name", REPORTS)
def test_csv_has_one_row_per_edition_and_pool(name: str) -> None:
    report = REPORTS[name]()
    rows = csv_rows(report)

    expected = [(edition.id, pool.channel) for edition in report.editions for pool in edition.pools]
    assert [(row["edition_id"], row["channel_id"]) for row in rows] == expected


def test_csv_values_match_the_model() -> None:
    report = sample_report()
    rows = iter(csv_rows(report))

    for edition in report.editions:
        for pool in edition.pools:
            row = next(rows)
            channel = report.channel(pool.channel)
            moments = sorted(
                issue.at for issue in edition.timeline if issue.channel == pool.channel
            )
            assert row["edition_onchain_id"] == str(edition.onchain_id)
            assert row["edition_name_zh"] == edition.name.zh
            assert row["edition_name_en"] == edition.name.en
            assert row["released_on"] == edition.released_on.isoformat()
            assert row["supply"] == str(edition.supply)
            assert row["round_state"] == edition.round_state
            assert row["seed"] == edition.seed
            assert row["request_ids"] == " ".join(edition.request_ids)
            assert row["entrants_sha256"] == edition.entrants_sha256
            assert row["pool"] == str(pool.pool)
            assert row["channel_name_zh"] == channel.name.zh
            assert row["channel_name_en"] == channel.name.en
            assert row["entrants"] == str(pool.entrants)
            assert row["winners"] == str(pool.winners)
            assert row["issued"] == str(pool.issued)
            assert row["rejected"] == str(pool.rejected)
            assert dt.datetime.fromisoformat(row["first_issued_at"]) == moments[0]
            assert dt.datetime.fromisoformat(row["last_issued_at"]) == moments[-1]
            assert row["last_issued_at"].endswith("Z")


def test_csv_leaves_missing_values_empty() -> None:
    report = failed_round_report()
    failed_rows = [row for row in csv_rows(report) if row["round_state"] == "failed"]

    assert len(failed_rows) == 2
    for row in failed_rows:
        assert row["seed"] == ""
        assert row["first_issued_at"] == ""
        assert row["issued"] == "0"
        assert row["request_ids"] == "7 8"


def test_csv_neutralises_formulas_in_names() -> None:
    hostile = seeded_edition(1, name=BilingualText(zh='=HYPERLINK("x")', en="+1-2 @risk"))
    report = CampaignReport(**base_fields([hostile]))

    row = csv_rows(report)[0]

    assert row["edition_name_zh"] == '\'=HYPERLINK("x")'
    assert row["edition_name_en"] == "'+1-2 @risk"


def test_csv_quotes_commas_and_newlines() -> None:
    name = BilingualText(zh="夏至，一", en='Summer, "Solstice"\nII')
    report = CampaignReport(**base_fields([seeded_edition(1, name=name)]))

    row = csv_rows(report)[0]

    assert row["edition_name_en"] == 'Summer, "Solstice"\nII'
    assert row["edition_name_zh"] == "夏至，一"
