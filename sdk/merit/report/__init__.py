"""The campaign report: figures in, four files out.

`write_report` renders a `CampaignReport` as ``report.json`` (the model itself),
``report.csv`` (one row per edition and channel) and two self-contained HTML pages with charts,
``report.zh-CN.html`` and ``report.en.html``, which link to each other.

Example::

    from merit.report import write_report

    paths = write_report(report, Path("out/palace-solar-terms-2022/report"))
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from merit.report.model import (
    AuditResult,
    BadgeIssue,
    BilingualText,
    CampaignInfo,
    CampaignReport,
    ChannelInfo,
    ContractAddresses,
    EditionReport,
    GasStep,
    NetworkInfo,
    PoolFigures,
)
from merit.report.render_html import HTML_FILE_NAMES, render_html
from merit.report.render_tables import (
    ReportFileError,
    load_report,
    render_csv,
    render_json,
)

__all__ = [
    "CSV_NAME",
    "HTML_FILE_NAMES",
    "JSON_NAME",
    "AuditResult",
    "BadgeIssue",
    "BilingualText",
    "CampaignInfo",
    "CampaignReport",
    "ChannelInfo",
    "ContractAddresses",
    "EditionReport",
    "GasStep",
    "NetworkInfo",
    "PoolFigures",
    "ReportFileError",
    "load_report",
    "render_csv",
    "render_html",
    "render_json",
    "render_report",
    "write_report",
]

logger = logging.getLogger(__name__)

JSON_NAME = "report.json"
CSV_NAME = "report.csv"


def render_report(report: CampaignReport) -> dict[str, bytes]:
    """Render all four report files in memory, keyed by file name, JSON and CSV first."""
    return {
        JSON_NAME: render_json(report),
        CSV_NAME: render_csv(report),
        HTML_FILE_NAMES["zh"]: render_html(report, "zh"),
        HTML_FILE_NAMES["en"]: render_html(report, "en"),
    }


def write_report(report: CampaignReport, folder: Path | str) -> list[Path]:
    """Write the four report files into `folder` and return their paths.

    Every file is rendered before anything is written, so a rendering error leaves the folder
    untouched. Each file then goes to a temporary file in `folder`, is flushed to disk and
    renamed over its final name, so a reader never sees a partly written file.

    NOTE: the four renames are separate steps. A crash between them can leave new and old files
    side by side; writing the report again repairs that.

    Raises:
        OSError: if the folder cannot be created or a file cannot be written; temporary files
            are removed and the final files keep their previous content.
    """
    folder = Path(folder)
    files = render_report(report)
    folder.mkdir(parents=True, exist_ok=True)

    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in files.items():
            handle, temporary_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            staged.append((Path(temporary_name), folder / name))
            # mkstemp creates the file readable by its owner only; the report is public.
            os.fchmod(handle, 0o644)
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
        for temporary, final in staged:
            os.replace(temporary, final)
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise

    paths = [final for _, final in staged]
    logger.info(
        "Wrote the report of campaign %s (%d editions, %d badges issued) to %s.",
        report.campaign.id,
        len(report.editions),
        report.total_issued,
        folder,
    )
    return paths
