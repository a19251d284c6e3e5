"""The machine-readable report files: ``report.json`` and ``report.csv``.

``report.json`` is the `CampaignReport` itself, keys in the models' field order, so two runs
over the same figures give the same bytes and `load_report` reads it back into the model.
``report.csv`` has one row per edition and channel, for spreadsheets. It starts with a UTF-8
byte order mark, because Excel reads a CSV file without one in the system's legacy code page and
garbles the Chinese names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from pydantic import ValidationError

from merit.errors import MeritError
from merit.report.model import CampaignReport

__all__ = ["CSV_COLUMNS", "ReportFileError", "load_report", "render_csv", "render_json"]

CSV_COLUMNS = (
    "edition_id",
    "edition_onchain_id",
    "edition_name_zh",
    "edition_name_en",
    "released_on",
    "supply",
    "round_state",
    "seed",
    "request_ids",
    "entrants_sha256",
    "pool",
    "channel_id",
    "channel_name_zh",
    "channel_name_en",
    "entrants",
    "winners",
    "issued",
    "rejected",
    "first_issued_at",
    "last_issued_at",
)
"""Header of ``report.csv``; counts are plain integers, times ISO 8601 in UTC."""

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ReportFileError(MeritError, ValueError):
    """Raised if a ``report.json`` cannot be read or does not describe a valid report.

    `problems` lists each invalid field with its location, so all of them show at once.
    """

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        lines = [f"Invalid campaign report {path}: {len(problems)} problem(s)."]
        lines.extend(f"  {problem}" for problem in problems)
        super().__init__("\n".join(lines))


def render_json(report: CampaignReport) -> bytes:
    """Return the bytes of ``report.json``: UTF-8, indented, non-ASCII text as is, final LF."""
    document = report.model_dump(mode="json")
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def load_report(path: Path | str) -> CampaignReport:
    """Read a ``report.json`` back into a validated `CampaignReport`.

    Raises:
        ReportFileError: if the file cannot be read or does not describe a valid report.
    """
    path = Path(path)
    try:
        return CampaignReport.model_validate_json(path.read_bytes())
    except OSError as error:
        raise ReportFileError(
            path, [f"Failed to read the report: {error}. Check the path and its permissions."]
        ) from error
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc']) or 'report'}: {item['msg']}"
            for item in error.errors()
        ]
        raise ReportFileError(path, problems) from error


def _cell(value: str) -> str:
    """Neutralise text that a spreadsheet would run as a formula (CSV injection).

    A leading apostrophe makes Excel and LibreOffice show the text literally. Only names can
    start this way: ids, hashes and times never do.
    """
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def render_csv(report: CampaignReport) -> bytes:
    """Return the bytes of ``report.csv``: a BOM, the header, one row per edition and pool.

    Rows follow the editions' order and, within an edition, the pools' order. Lines end in
    CRLF as RFC 4180 and Excel expect.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for edition in report.editions:
        for pool in edition.pools:
            channel = report.channel(pool.channel)
            moments = sorted(
                issue.at for issue in edition.timeline if issue.channel == pool.channel
            )
            writer.writerow(
                (
                    edition.id,
                    edition.onchain_id,
                    _cell(edition.name.zh),
                    _cell(edition.name.en),
                    edition.released_on.isoformat(),
                    edition.supply,
                    edition.round_state,
                    edition.seed or "",
                    " ".join(edition.request_ids),
                    edition.entrants_sha256 or "",
                    pool.pool,
                    channel.id,
                    _cell(channel.name.zh),
                    _cell(channel.name.en),
                    pool.entrants,
                    pool.winners,
                    pool.issued,
                    pool.rejected,
                    _utc(moments[0]) if moments else "",
                    _utc(moments[-1]) if moments else "",
                )
            )
    return buffer.getvalue().encode("utf-8-sig")


def _utc(moment: dt.datetime) -> str:
    # datetime.UTC needs Python 3.11, and the SDK supports 3.10.
    utc = moment.astimezone(dt.timezone.utc)  # noqa: UP017
    return utc.isoformat().replace("+00:00", "Z")
