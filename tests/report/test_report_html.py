"""The HTML pages: structure, self-containment, content in the page's language, escaping, SVG."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from string import Formatter

import pytest
from merit.report import (
    HTML_FILE_NAMES,
    BilingualText,
    CampaignReport,
    render_html,
    write_report,
)
from merit.report.charts import EDITIONS_PER_CHART
from merit.report.text import STRINGS, Language, format_count, format_percent, translate
from report_samples import (
    base_fields,
    failed_round_report,
    many_editions_report,
    one_edition_report,
    sample_report,
    seeded_edition,
    zero_issued_report,
)

SVG = "{http://www.w3.org/2000/svg}"
VOID_ELEMENTS = {"br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}
LANGUAGES: tuple[Language, ...] = ("zh", "en")

REPORTS: dict[str, Callable[[], CampaignReport]] = {
    "sample": sample_report,
    "zero-issued": zero_issued_report,
    "failed-round": failed_round_report,
    "one-edition": one_edition_report,
    "many-editions": many_editions_report,
}


@dataclass
class Page:
    """What `PageParser` found in a page."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def visible_text(self) -> str:
        return " ".join(self.text)


class PageParser(HTMLParser):
    """Records tags, attributes and text, and every end tag that does not close the open one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.append((tag, dict(attrs)))
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.page.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in ("style", "title") and "svg" not in self.stack:
            return
        if data.strip():
            self.page.text.append(data.strip())


def parse(content: bytes) -> Page:
    parser = PageParser()
    parser.feed(content.decode("utf-8"))
    parser.close()
    if parser.stack:
        parser.page.errors.append(f"unclosed elements: {parser.stack}")
    return parser.page


def svgs(content: bytes) -> list[ET.Element]:
    markup = re.findall(r"<svg\b.*?</svg>", content.decode("utf-8"), flags=re.DOTALL)
    return [ET.fromstring(svg) for svg in markup]


@pytest.fixture(scope="module", params=list(REPORTS))
def rendered(request: pytest.FixtureRequest) -> tuple[CampaignReport, dict[Language, bytes]]:
    """Each report with its two pages, rendered once per module."""
    report = REPORTS[request.param]()
    return report, {language: render_html(report, language) for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_parses_with_balanced_tags(rendered, language: Language) -> None:
    _, pages = rendered
    page = parse(pages[language])

    assert page.errors == []
    assert page.tags[0] == ("html", {"lang": {"zh": "zh-CN", "en": "en"}[language]})


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_is_self_contained(rendered, language: Language) -> None:
    _, pages = rendered
    content = pages[language].decode("utf-8")
    page = parse(pages[language])

    tag_names = {tag for tag, _ in page.tags}
    assert "script" not in tag_names
    assert "img" not in tag_names
    assert "link" not in tag_names
    assert "iframe" not in tag_names
    links = []
    for tag, attributes in page.tags:
        for name, value in attributes.items():
            assert not name.startswith("on"), f"<{tag} {name}> runs script"
            if name in ("src", "href", "xlink:href", "action", "srcset"):
                links.append(value)
                assert not re.match(
                    r"\s*(https?:|//|javascript:|data:)", value or "", re.IGNORECASE
                )
    assert links == [HTML_FILE_NAMES["en" if language == "zh" else "zh"]]
    assert "url(" not in content
    assert "@import" not in content
    assert "@font-face" not in content


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_shows_key_figures(rendered, language: Language) -> None:
    report, pages = rendered
    text = parse(pages[language]).visible_text

    for figure in (
        report.total_entrants,
        report.total_winners,
        report.total_issued,
        report.total_supply,
        report.total_gas_used,
        report.total_rejected,
    ):
        assert format_count(figure) in text
    assert format_percent(report.new_users_share_of_winners, language) in text
    assert report.contracts.series in text
    assert report.contracts.draw in text
    assert report.contracts.randomness_source in text
    assert str(report.network.chain_id) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_shows_every_pool_figure(rendered, language: Language) -> None:
    report, pages = rendered
    page = parse(pages[language])
    cells = [data for data in page.text]

    for edition in report.editions:
        for pool in edition.pools:
            assert format_count(pool.entrants) in cells
            assert format_count(pool.winners) in cells
            assert format_count(pool.issued) in cells
        if edition.seed is not None:
            assert edition.seed in cells


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_names_each_edition_in_both_languages(rendered, language: Language) -> None:
    report, pages = rendered
    content = pages[language].decode("utf-8")

    for edition in report.editions:
        assert f'lang="zh-CN">{edition.name.zh}<' in content
        assert f'lang="en">{edition.name.en}<' in content
    assert report.campaign.title.zh in content
    assert report.campaign.title.en in content


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_text_is_in_page_language(rendered, language: Language) -> None:
    _, pages = rendered
    text = parse(pages[language]).visible_text
    other: Language = "en" if language == "zh" else "zh"

    for key in ("section.summary", "section.charts", "section.editions", "section.verify"):
        assert translate(key, language) in text
        assert translate(key, other) not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_lists_discrepancies_only_when_audit_failed(rendered, language: Language) -> None:
    report, pages = rendered
    text = parse(pages[language]).visible_text

    if report.audit.passed:
        assert translate("audit.passed", language) in text
        assert translate("audit.heading", language) not in text
    else:
        assert translate("audit.failed", language) in text
        assert translate("audit.heading", language) in text
        for discrepancy in report.audit.discrepancies:
            assert discrepancy in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_svg_is_wellformed_with_title_and_legend(rendered, language: Language) -> None:
    report, pages = rendered
    charts = svgs(pages[language])

    share_parts = math.ceil(len(report.editions) / EDITIONS_PER_CHART)
    assert len(charts) >= 2 * share_parts + 1
    for chart in charts:
        assert chart.tag == f"{SVG}svg"
        assert chart.find(f"{SVG}title") is not None
        assert chart.find(f"{SVG}desc") is not None
        assert chart.get("role") == "img"
        labels = [element.text or "" for element in chart.iter(f"{SVG}text")]
        assert labels, "a chart without any label"
        for number in re.findall(r"-?\d+(?:\.\d+)?", chart.get("viewBox", "")):
            assert math.isfinite(float(number))


@pytest.mark.parametrize("language", LANGUAGES)
def test_svg_ids_are_unique(rendered, language: Language) -> None:
    _, pages = rendered
    ids = re.findall(r'\sid="([^"]+)"', pages[language].decode("utf-8"))

    assert len(ids) == len(set(ids))


def test_figure_chart_bars_match_pools() -> None:
    report = sample_report()
    chart = svgs(render_html(report, "en"))[0]

    bar_titles = [
        rect.find(f"{SVG}title").text or ""
        for rect in chart.iter(f"{SVG}rect")
        if rect.find(f"{SVG}title") is not None
    ]
    assert len(bar_titles) == 3 * sum(len(edition.pools) for edition in report.editions)
    first = report.editions[0].pools[0]
    assert any(title.endswith(f"eligible: {format_count(first.entrants)}") for title in bar_titles)


def test_bar_widths_never_negative_nor_past_plot() -> None:
    for build in REPORTS.values():
        report = build()
        for language in LANGUAGES:
            for chart in svgs(render_html(report, language)):
                width = float(chart.get("width", "0"))
                for rect in chart.iter(f"{SVG}rect"):
                    left = float(rect.get("x", "0"))
                    bar = float(rect.get("width", "0"))
                    assert bar >= 0
                    assert left + bar <= width


def test_timeline_path_stays_small_for_many_badges() -> None:
    report = many_editions_report()
    chart = svgs(render_html(report, "en"))[-1]

    paths = list(chart.iter(f"{SVG}path"))
    assert len(paths) == 1 + 1 + len(report.channels)
    for path in paths:
        commands = re.findall(r"[MHVZ]", path.get("d", ""))
        assert len(commands) <= 2 * 2 * int(chart.get("width", "0")) + 4


def test_many_editions_split_into_parts() -> None:
    report = many_editions_report()
    charts = svgs(render_html(report, "zh"))

    parts = math.ceil(len(report.editions) / EDITIONS_PER_CHART)
    figure_ids = [chart.get("id") for chart in charts if "figures" in (chart.get("id") or "")]
    assert figure_ids == [f"chart-figures-{number}" for number in range(1, parts + 1)]


def test_hostile_names_are_escaped() -> None:
    hostile = BilingualText(zh="<script>alert(1)</script>", en='"><img src=x onerror=alert(1)>')
    edition = seeded_edition(1, name=hostile)
    report = CampaignReport(
        **base_fields(
            [edition],
            campaign={
                "id": "hostile",
                "title": {"zh": "</title><script>x()</script>", "en": "A & B <b>"},
            },
        )
    )

    for language in LANGUAGES:
        content = render_html(report, language).decode("utf-8")
        page = parse(content.encode("utf-8"))

        assert "<script" not in content
        assert "<img" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert page.errors == []
        assert hostile.zh in page.visible_text
        assert "A & B <b>" in page.visible_text
        for chart in svgs(content.encode("utf-8")):
            assert chart.find(f"{SVG}title") is not None


def test_failed_round_is_labelled() -> None:
    report = failed_round_report()

    for language in LANGUAGES:
        text = parse(render_html(report, language)).visible_text
        assert translate("state.failed", language) in text
        assert translate("chart.share.none_issued", language) in text


def test_empty_timeline_says_nothing_issued() -> None:
    report = zero_issued_report()

    for language in LANGUAGES:
        text = parse(render_html(report, language)).visible_text
        assert translate("chart.timeline.empty", language) in text
        assert translate("table.no_gas", language) in text


def test_strings_have_both_languages_with_same_placeholders() -> None:
    for key, texts in STRINGS.items():
        assert set(texts) == {"zh", "en"}, key
        fields = {
            language: {name for _, name, _, _ in Formatter().parse(text) if name}
            for language, text in texts.items()
        }
        assert texts["zh"].strip(), key
        assert texts["en"].strip(), key
        assert fields["zh"] == fields["en"], key


def test_write_report_writes_four_files(tmp_path: Path) -> None:
    report = sample_report()
    folder = tmp_path / "out" / "report"

    paths = write_report(report, folder)

    assert [path.name for path in paths] == [
        "report.json",
        "report.csv",
        "report.zh-CN.html",
        "report.en.html",
    ]
    assert sorted(path.name for path in folder.iterdir()) == sorted(path.name for path in paths)
    assert paths[2].read_bytes() == render_html(report, "zh")
    assert paths[3].stat().st_mode & 0o777 == 0o644


def test_write_report_replaces_previous_report(tmp_path: Path) -> None:
    write_report(zero_issued_report(), tmp_path)
    report = one_edition_report()

    paths = write_report(report, tmp_path)

    assert paths[3].read_bytes() == render_html(report, "en")
    assert len(list(tmp_path.iterdir())) == 4


def test_write_report_leaves_no_temporary_file_on_error(tmp_path: Path) -> None:
    (tmp_path / "report.en.html").mkdir()

    with pytest.raises(OSError):
        write_report(sample_report(), tmp_path)

    assert sorted(path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")) == []
    assert (tmp_path / "report.en.html").is_dir()
