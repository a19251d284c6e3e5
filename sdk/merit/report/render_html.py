"""The report's HTML pages, ``report.zh-CN.html`` and ``report.en.html``.

Each page is one self-contained file: inline CSS, inline SVG charts, no JavaScript, no fonts,
images or links to other hosts. Its only link is the relative link to the other language's page.
A Content-Security-Policy in the page blocks anything else from loading even if a value slipped
through.

Every value that comes from the model is escaped with `html.escape`. Texts from `STRINGS` are
trusted markup; where they take values, the values are escaped before they are filled in.
"""

from __future__ import annotations

from html import escape

import merit
from merit.report.charts import Chart, figure_charts, share_charts, timeline_chart
from merit.report.model import BilingualText, CampaignReport, EditionReport, PoolFigures
from merit.report.style import STYLE_SHEET
from merit.report.text import (
    Language,
    bilingual,
    format_count,
    format_date,
    format_datetime,
    format_percent,
    other_language,
    translate,
)

__all__ = ["HTML_FILE_NAMES", "render_html"]

HTML_FILE_NAMES: dict[Language, str] = {"zh": "report.zh-CN.html", "en": "report.en.html"}
"""File name of each language's page; each page links to the other by this name."""

DATA_FILE_NAMES = ("report.json", "report.csv")

_LANGUAGE_TAGS: dict[Language, str] = {"zh": "zh-CN", "en": "en"}

_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _t(key: str, language: Language, **values: object) -> str:
    """Return a page text as markup, with `values` escaped before they are filled in."""
    return translate(key, language, **{name: _e(value) for name, value in values.items()})


def _names(text: BilingualText, language: Language, *, inline: bool = False) -> str:
    """Show both languages of a name: the page's language first, the other one muted."""
    primary, secondary = bilingual(text.zh, text.en, language)
    other = other_language(language)
    if inline:
        return (
            f'<span class="name-main" lang="{_LANGUAGE_TAGS[language]}">{_e(primary)}</span> '
            f'<span class="muted" lang="{_LANGUAGE_TAGS[other]}">{_e(secondary)}</span>'
        )
    return (
        f'<span class="name-main" lang="{_LANGUAGE_TAGS[language]}">{_e(primary)}</span>'
        f'<span class="name-other" lang="{_LANGUAGE_TAGS[other]}">{_e(secondary)}</span>'
    )


def _state(edition: EditionReport, language: Language) -> str:
    css = {"failed": "state-failed", "seeded": ""}.get(edition.round_state, "state-pending")
    label = _t(f"state.{edition.round_state}", language)
    return f'<span class="{css}">{label}</span>' if css else label


def _num(value: str) -> str:
    return f'<td class="num">{value}</td>'


class _Sections:
    """Numbers the page's sections in order of appearance."""

    def __init__(self) -> None:
        self.count = 0

    def heading(self, anchor: str, label: str) -> str:
        self.count += 1
        return f'<h2 id="{anchor}"><span class="section-number">{self.count}</span>{label}</h2>'


def _masthead(report: CampaignReport, language: Language) -> str:
    other = other_language(language)
    title_main, title_other = bilingual(
        report.campaign.title.zh, report.campaign.title.en, language
    )
    verdict_key = "audit.passed" if report.audit.passed else "audit.failed"
    verdict_css = "verdict-passed" if report.audit.passed else "verdict-failed"
    verdict_mark = "✓" if report.audit.passed else "✗"
    if report.audit.passed:
        verdict_note = _t("audit.passed_note", language)
    else:
        verdict_note = _t(
            "audit.failed_note", language, count=format_count(len(report.audit.discrepancies))
        )
    facts = [
        ("fact.campaign_id", f"<code>{_e(report.campaign.id)}</code>"),
        (
            "fact.network",
            _t(
                "fact.network_value",
                language,
                name=report.network.name,
                chain_id=report.network.chain_id,
            ),
        ),
        ("fact.randomness", _t(f"randomness.{report.randomness}", language)),
        ("fact.series", f'<code class="hex">{_e(report.contracts.series)}</code>'),
        ("fact.draw", f'<code class="hex">{_e(report.contracts.draw)}</code>'),
        (
            "fact.randomness_source",
            f'<code class="hex">{_e(report.contracts.randomness_source)}</code>',
        ),
        ("fact.generated_at", _e(format_datetime(report.generated_at, report.zone))),
        ("fact.timezone", _e(report.timezone)),
    ]
    fact_rows = "".join(f"<dt>{_t(key, language)}</dt><dd>{value}</dd>" for key, value in facts)
    return f"""<header class="masthead">
<div class="masthead-top"><span class="doc-kind">{_t("doc.kind", language)}</span>
<a class="lang-switch" href="{HTML_FILE_NAMES[other]}" hreflang="{_LANGUAGE_TAGS[other]}" \
lang="{_LANGUAGE_TAGS[other]}">{_t("doc.other_language", language)}</a></div>
<h1 lang="{_LANGUAGE_TAGS[language]}">{_e(title_main)}</h1>
<p class="subtitle" lang="{_LANGUAGE_TAGS[other]}">{_e(title_other)}</p>
<div class="verdict {verdict_css}">{verdict_mark} {_t(verdict_key, language)}</div>
<p class="verdict-note">{verdict_note}</p>
<dl class="facts">{fact_rows}</dl>
</header>"""


def _discrepancies(report: CampaignReport, language: Language, sections: _Sections) -> str:
    if report.audit.passed:
        return ""
    items = "".join(f"<li>{_e(item)}</li>" for item in report.audit.discrepancies)
    return f"""<section aria-labelledby="audit">
{sections.heading("audit", _t("audit.heading", language))}
<div class="discrepancies" role="alert"><p>{_t("audit.intro", language)}</p><ol>{items}</ol></div>
</section>"""


def _kpi(label: str, value: str, note: str) -> str:
    return (
        f'<div class="kpi"><div class="kpi-label">{label}</div>'
        f'<div class="kpi-value">{value}</div><div class="kpi-note">{note}</div></div>'
    )


def _summary(report: CampaignReport, language: Language, sections: _Sections) -> str:
    entrants, winners, issued = report.total_entrants, report.total_winners, report.total_issued
    cards = [
        _kpi(
            _t("kpi.editions", language),
            format_count(len(report.editions)),
            _t("kpi.editions_note", language, supply=format_count(report.total_supply)),
        ),
        _kpi(
            _t("kpi.entrants", language),
            format_count(entrants),
            _t("kpi.entrants_note", language, rejected=format_count(report.total_rejected)),
        ),
        _kpi(
            _t("kpi.winners", language),
            format_count(winners),
            _t(
                "kpi.winners_note",
                language,
                rate=format_percent(winners / entrants if entrants else None, language),
            ),
        ),
        _kpi(
            _t("kpi.issued", language),
            format_count(issued),
            _t(
                "kpi.issued_note",
                language,
                rate=format_percent(issued / winners if winners else None, language),
            ),
        ),
    ]
    if report.new_users is not None:
        share_winners = format_percent(report.new_users_share_of_winners, language)
        share_issued = format_percent(report.new_users_share_of_issued, language)
        cards.append(
            _kpi(
                _t("kpi.new_users", language),
                share_issued,
                _t("kpi.new_users_note", language, winners=share_winners, issued=share_issued),
            )
        )
    cards.append(
        _kpi(
            _t("kpi.gas", language),
            format_count(report.total_gas_used),
            _t("kpi.gas_note", language, transactions=format_count(report.total_transactions)),
        )
    )

    rows = []
    for totals in report.channel_totals:
        planned = format_percent(totals.channel.planned_share, language)
        share = format_percent(totals.winners / winners if winners else None, language)
        rows.append(
            "<tr>"
            f'<td class="name">{_names(totals.channel.name, language)}</td>'
            + _num(format_count(totals.entrants))
            + _num(format_count(totals.winners))
            + _num(format_count(totals.issued))
            + _num(format_count(totals.rejected))
            + _num(planned)
            + _num(share)
            + "</tr>"
        )
    header = (
        f"<th>{_t('col.channel', language)}</th>"
        f'<th class="num">{_t("col.entrants", language)}</th>'
        f'<th class="num">{_t("col.winners", language)}</th>'
        f'<th class="num">{_t("col.issued", language)}</th>'
        f'<th class="num">{_t("col.rejected", language)}</th>'
        f'<th class="num">{_t("kpi.planned_share", language)}</th>'
        f'<th class="num">{_t("kpi.share_of_winners", language)}</th>'
    )
    return f"""<section aria-labelledby="summary">
{sections.heading("summary", _t("section.summary", language))}
<div class="kpis">{"".join(cards)}</div>
<h3>{_t("kpi.channels_heading", language)}</h3>
<div class="table-box"><table><thead><tr>{header}</tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
</section>"""


def _figure(chart: Chart, language: Language) -> str:
    return (
        f'<figure aria-labelledby="{chart.id}-caption">'
        f'<figcaption id="{chart.id}-caption">{_e(chart.title)}</figcaption>'
        f'<div class="chart-box">{chart.svg}</div>'
        f'<div class="figure-note">{_t("chart.caption.table", language)}</div>'
        "</figure>"
    )


def _charts(report: CampaignReport, language: Language, sections: _Sections) -> str:
    charts = [
        *figure_charts(report, language),
        *share_charts(report, language),
        timeline_chart(report, language),
    ]
    figures = "\n".join(_figure(chart, language) for chart in charts)
    return f"""<section aria-labelledby="charts">
{sections.heading("charts", _t("section.charts", language))}
{figures}
</section>"""


def _edition_cell(edition: EditionReport, language: Language, rowspan: int) -> str:
    meta = f"{_e(format_date(edition.released_on))} · #{edition.onchain_id}"
    return (
        f'<td class="edition" rowspan="{rowspan}">{_names(edition.name, language)}'
        f'<span class="meta">{meta}</span></td>'
    )


def _figure_cells(pool: PoolFigures | EditionReport, language: Language) -> str:
    rate = pool.issued / pool.winners if pool.winners else None
    return (
        _num(format_count(pool.entrants))
        + _num(format_count(pool.winners))
        + _num(format_count(pool.issued))
        + _num(format_percent(rate, language))
        + _num(format_count(pool.rejected))
    )


def _edition_table(report: CampaignReport, language: Language, sections: _Sections) -> str:
    header = (
        f'<th>{_t("col.edition", language)}<span class="meta">'
        f"{_t('col.released_on', language)} · {_t('col.onchain_id', language)}</span></th>"
        f'<th class="num">{_t("col.supply", language)}</th>'
        f"<th>{_t('col.round_state', language)}</th>"
        f"<th>{_t('col.channel', language)}</th>"
        f'<th class="num">{_t("col.entrants", language)}</th>'
        f'<th class="num">{_t("col.winners", language)}</th>'
        f'<th class="num">{_t("col.issued", language)}</th>'
        f'<th class="num">{_t("col.issue_rate", language)}</th>'
        f'<th class="num">{_t("col.rejected", language)}</th>'
    )
    groups = []
    for edition in report.editions:
        rows = []
        with_subtotal = len(edition.pools) > 1
        rowspan = len(edition.pools) + (1 if with_subtotal else 0)
        for position, pool in enumerate(edition.pools):
            channel = report.channel(pool.channel)
            leading = ""
            if position == 0:
                leading = (
                    _edition_cell(edition, language, rowspan)
                    + f'<td class="num" rowspan="{rowspan}">{format_count(edition.supply)}</td>'
                    + f'<td rowspan="{rowspan}">{_state(edition, language)}</td>'
                )
            rows.append(
                f'<tr>{leading}<td class="name">{_names(channel.name, language)}</td>'
                f"{_figure_cells(pool, language)}</tr>"
            )
        if with_subtotal:
            rows.append(
                f'<tr class="subtotal"><td>{_t("row.edition_total", language)}</td>'
                f"{_figure_cells(edition, language)}</tr>"
            )
        # One tbody per edition, so print keeps an edition's rows on one page.
        groups.append(f"<tbody>{''.join(rows)}</tbody>")

    winners, issued = report.total_winners, report.total_issued
    footer = (
        f"<tr><td>{_t('row.total', language)}</td>"
        + _num(format_count(report.total_supply))
        + "<td></td><td></td>"
        + _num(format_count(report.total_entrants))
        + _num(format_count(winners))
        + _num(format_count(issued))
        + _num(format_percent(issued / winners if winners else None, language))
        + _num(format_count(report.total_rejected))
        + "</tr>"
    )
    return f"""<section aria-labelledby="editions">
{sections.heading("editions", _t("section.editions", language))}
<div class="table-box"><table><thead><tr>{header}</tr></thead>
{"".join(groups)}<tfoot>{footer}</tfoot></table></div>
</section>"""


def _draw_table(report: CampaignReport, language: Language, sections: _Sections) -> str:
    none = _t("value.none", language)
    header = (
        f"<th>{_t('col.edition', language)}</th>"
        f'<th class="num">{_t("col.onchain_id", language)}</th>'
        f"<th>{_t('col.round_state', language)}</th>"
        f"<th>{_t('col.request_ids', language)}</th>"
        f"<th>{_t('col.seed', language)}</th>"
        f"<th>{_t('col.entrants_sha256', language)}</th>"
    )
    rows = []
    for edition in report.editions:
        request_ids = "<br>".join(f"<code>{_e(value)}</code>" for value in edition.request_ids)
        seed = f"<code>{_e(edition.seed)}</code>" if edition.seed else none
        manifest = (
            f"<code>{_e(edition.entrants_sha256)}</code>" if edition.entrants_sha256 else none
        )
        rows.append(
            f'<tr><td class="edition">{_names(edition.name, language)}</td>'
            f'<td class="num">{edition.onchain_id}</td>'
            f"<td>{_state(edition, language)}</td>"
            f'<td class="hex">{request_ids or none}</td>'
            f'<td class="hex">{seed}</td>'
            f'<td class="hex">{manifest}</td></tr>'
        )
    return f"""<section aria-labelledby="draws">
{sections.heading("draws", _t("section.draws", language))}
<div class="table-box"><table><thead><tr>{header}</tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
</section>"""


def _step_label(step: str, language: Language) -> str:
    key = f"step.{step}"
    try:
        return _t(key, language) + f' <code class="muted">{_e(step)}</code>'
    except KeyError:
        return f"<code>{_e(step)}</code>"


def _gas_table(report: CampaignReport, language: Language, sections: _Sections) -> str:
    heading = sections.heading("gas", _t("section.gas", language))
    if not report.gas:
        return f'<section aria-labelledby="gas">{heading}<p>{_t("table.no_gas", language)}</p></section>'
    total = report.total_gas_used
    header = (
        f"<th>{_t('col.step', language)}</th>"
        f'<th class="num">{_t("col.transactions", language)}</th>'
        f'<th class="num">{_t("col.gas_used", language)}</th>'
        f'<th class="num">{_t("col.gas_per_transaction", language)}</th>'
        f'<th class="num">{_t("col.gas_share", language)}</th>'
    )
    rows = []
    for step in report.gas:
        mean = step.gas_per_transaction
        rows.append(
            f"<tr><td>{_step_label(step.step, language)}</td>"
            + _num(format_count(step.transactions))
            + _num(format_count(step.gas_used))
            + _num(format_count(round(mean)) if mean is not None else _t("value.none", language))
            + _num(format_percent(step.gas_used / total if total else None, language))
            + "</tr>"
        )
    transactions = report.total_transactions
    mean_total = round(total / transactions) if transactions else None
    footer = (
        f"<tr><td>{_t('row.total', language)}</td>"
        + _num(format_count(transactions))
        + _num(format_count(total))
        + _num(format_count(mean_total) if mean_total is not None else _t("value.none", language))
        + _num(format_percent(1.0 if total else None, language))
        + "</tr>"
    )
    return f"""<section aria-labelledby="gas">
{heading}
<div class="table-box"><table><thead><tr>{header}</tr></thead>
<tbody>{"".join(rows)}</tbody><tfoot>{footer}</tfoot></table></div>
</section>"""


def _verify(language: Language, sections: _Sections) -> str:
    items = "".join(
        f"<li>{_t(key, language)}</li>"
        for key in (
            "verify.files",
            "verify.manifest",
            "verify.roots",
            "verify.seed",
            "verify.issued",
        )
    )
    return f"""<section class="verify" aria-labelledby="verify">
{sections.heading("verify", _t("section.verify", language))}
<p>{_t("verify.intro", language)}</p>
<ol>{items}</ol>
</section>"""


def _footer(report: CampaignReport, language: Language) -> str:
    files = ", ".join(
        f"<code>{name}</code>"
        for name in (*DATA_FILE_NAMES, HTML_FILE_NAMES["zh"], HTML_FILE_NAMES["en"])
    )
    generated = format_datetime(report.generated_at, report.zone)
    note = translate(
        "doc.footer",
        language,
        version=_e(merit.__version__),
        generated_at=_e(generated),
        files=files,
    )
    return f"<footer>{note}</footer>"


def render_html(report: CampaignReport, language: Language) -> bytes:
    """Return the UTF-8 bytes of the report page in `language`."""
    sections = _Sections()
    title_text = translate("doc.title", language, title=report.campaign.title.get(language))
    body = "\n".join(
        [
            _masthead(report, language),
            "<main>",
            _discrepancies(report, language, sections),
            _summary(report, language, sections),
            _charts(report, language, sections),
            _edition_table(report, language, sections),
            _draw_table(report, language, sections),
            _gas_table(report, language, sections),
            _verify(language, sections),
            "</main>",
            _footer(report, language),
        ]
    )
    page = f"""<!DOCTYPE html>
<html lang="{_LANGUAGE_TAGS[language]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{_CONTENT_SECURITY_POLICY}">
<meta name="color-scheme" content="light">
<meta name="generator" content="merit {_e(merit.__version__)}">
<title>{_e(title_text)}</title>
<style>{STYLE_SHEET}</style>
</head>
<body>
<div class="page">
{body}
</div>
</body>
</html>
"""
    return page.encode("utf-8")
