"""The report's charts as inline SVG, generated in Python.

Three kinds of chart:

- `figure_charts`: eligible entrants, winners and badges issued per edition and channel, as
  grouped horizontal bars. Editions run down the page, so a chart of many editions grows in
  height instead of squeezing its bars, and both names of an edition fit beside its bars.
- `share_charts`: the share of new users among winners and among badges issued per edition,
  against the planned share.
- `timeline_chart`: badges issued so far over block time, in total and per channel.

The bar charts split the editions into parts of at most `EDITIONS_PER_CHART`, so that each part
fits on one printed A4 page. All parts of a kind share one scale. Every chart has a `<title>`, a
`<desc>`, a legend and axis labels, and renders zeros, a single edition and 256 editions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from zoneinfo import ZoneInfo

from merit.report.model import CampaignReport, EditionReport
from merit.report.svg import (
    AXIS,
    FONT_STACK,
    GRID,
    INK,
    MUTED,
    WARNING,
    channel_color,
    count_ticks,
    element,
    fit_text,
    number,
    text,
    text_width,
    tint,
    title,
)
from merit.report.text import (
    Language,
    bilingual,
    format_count,
    format_date,
    format_percent,
    format_utc_offset,
    other_language,
    translate,
)

__all__ = [
    "EDITIONS_PER_CHART",
    "Chart",
    "figure_charts",
    "share_charts",
    "timeline_chart",
]

EDITIONS_PER_CHART = 12
"""Editions per bar chart: half a year of solar terms, about one printed A4 page."""

_MAX_BARS_PER_CHART = 72
"""Maximum bars per figure chart, so a part contains fewer editions when there are many channels."""

WIDTH = 760
_LABEL_WIDTH = 176
_PLOT_LEFT = 196
_PLOT_RIGHT = WIDTH - 28
_PLOT_WIDTH = _PLOT_RIGHT - _PLOT_LEFT
_LABEL_LINE = 13.0
_LABEL_HEIGHT = 3 * _LABEL_LINE

_MEASURES = ("entrants", "winners", "issued")
_MEASURE_STRENGTH = {"entrants": 0.3, "winners": 0.62, "issued": 1.0}
"""Tint of each measure in its channel's colour: eligible lightest, issued full colour."""

_LANGUAGE_TAG = {"zh": "zh-CN", "en": "en"}


@dataclass(frozen=True)
class Chart:
    """One rendered chart: its element id, its title (for the caption) and its SVG markup."""

    id: str
    title: str
    svg: str


def _svg(chart_id: str, height: float, title_text: str, description: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" class="chart" '
        f'viewBox="0 0 {WIDTH} {number(height)}" width="{WIDTH}" height="{number(height)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{FONT_STACK}" font-size="11" fill="{INK}">'
    )
    return "".join(
        [
            head,
            element("title", escape(title_text, quote=False), id=f"{chart_id}-title"),
            element("desc", escape(description, quote=False), id=f"{chart_id}-desc"),
            *body,
            "</svg>",
        ]
    )


def _parts(editions: Sequence[EditionReport], per_chart: int) -> list[Sequence[EditionReport]]:
    return [editions[start : start + per_chart] for start in range(0, len(editions), per_chart)]


def _part_title(key: str, language: Language, part: int, parts: int) -> str:
    base = translate(key, language)
    if parts == 1:
        return base
    return base + translate("chart.figures.part", language, part=part, parts=parts)


def _edition_label(edition: EditionReport, language: Language, y_center: float) -> str:
    """Write an edition's names in both languages and its release date left of its bars."""
    primary, secondary = bilingual(edition.name.zh, edition.name.en, language)
    x = _PLOT_LEFT - 12
    top = y_center - _LABEL_HEIGHT / 2 + 10
    return "".join(
        [
            text(
                x,
                top,
                fit_text(primary, _LABEL_WIDTH, 11.5),
                text_anchor="end",
                font_size=11.5,
                font_weight=600,
                lang=_LANGUAGE_TAG[language],
            ),
            text(
                x,
                top + _LABEL_LINE,
                fit_text(secondary, _LABEL_WIDTH, 10.5),
                text_anchor="end",
                font_size=10.5,
                fill=MUTED,
                lang=_LANGUAGE_TAG[other_language(language)],
            ),
            text(
                x,
                top + 2 * _LABEL_LINE,
                format_date(edition.released_on),
                text_anchor="end",
                font_size=9.5,
                fill=MUTED,
            ),
        ]
    )


def _edition_name(edition: EditionReport, language: Language) -> str:
    primary, secondary = bilingual(edition.name.zh, edition.name.en, language)
    return f"{primary} {secondary}"


def _x_axis(
    ticks: Sequence[float],
    scale: Callable[[float], float],
    label_of: Callable[[float], str],
    top: float,
    bottom: float,
    axis_label: str,
    *,
    labels_on_top: bool,
) -> list[str]:
    """Draw vertical grid lines, tick labels below (and above) the plot, and the axis label."""
    parts = []
    for tick in ticks:
        x = scale(tick)
        parts.append(element("line", x1=x, y1=top, x2=x, y2=bottom, stroke=GRID))
        parts.append(text(x, bottom + 14, label_of(tick), text_anchor="middle", fill=MUTED))
        if labels_on_top:
            parts.append(text(x, top - 6, label_of(tick), text_anchor="middle", fill=MUTED))
    parts.append(element("line", x1=_PLOT_LEFT, y1=bottom, x2=_PLOT_RIGHT, y2=bottom, stroke=AXIS))
    parts.append(element("line", x1=_PLOT_LEFT, y1=top, x2=_PLOT_LEFT, y2=bottom, stroke=AXIS))
    parts.append(
        text(
            _PLOT_LEFT + _PLOT_WIDTH / 2,
            bottom + 32,
            axis_label,
            text_anchor="middle",
            font_weight=600,
        )
    )
    return parts


def _swatch(x: float, y: float, color: str, label: str) -> tuple[str, float]:
    """Draw one legend entry at (x, baseline y) and return it with its width."""
    markup = element("rect", x=x, y=y - 9, width=10, height=10, fill=color, rx=1.5) + text(
        x + 14, y, label
    )
    return markup, 14 + text_width(label, 11) + 16


# --------------------------------------------------------------------------------------------
# Eligible, winners, issued per edition and channel
# --------------------------------------------------------------------------------------------


def figure_charts(report: CampaignReport, language: Language) -> list[Chart]:
    """Draw eligible entrants, winners and issued badges per edition and channel.

    Returns one chart per part of at most `EDITIONS_PER_CHART` editions, all on one scale.
    """
    bars_per_edition = 3 * len(report.channels)
    per_chart = max(1, min(EDITIONS_PER_CHART, _MAX_BARS_PER_CHART // bars_per_edition))
    parts = _parts(report.editions, per_chart)
    largest = max(pool.entrants for edition in report.editions for pool in edition.pools)
    ticks = count_ticks(largest)

    charts = []
    for number_, part in enumerate(parts, start=1):
        chart_id = f"chart-figures-{number_}"
        chart_title = _part_title("chart.figures.title", language, number_, len(parts))
        svg = _figure_chart(report, language, part, ticks, chart_id, chart_title)
        charts.append(Chart(id=chart_id, title=chart_title, svg=svg))
    return charts


_LEGEND_LEFT = 16
_LEGEND_NAME_WIDTH = 320


def _legend_name(name: str) -> tuple[str, float]:
    """Fit a channel name for a legend row and return it with the x where its swatches start."""
    fitted = fit_text(name, _LEGEND_NAME_WIDTH, 11)
    return fitted, _LEGEND_LEFT + text_width(fitted, 11) + 14


def _figure_legend(report: CampaignReport, language: Language, top: float) -> tuple[str, float]:
    """Lay out one legend row per channel: its name, then a swatch per measure.

    The swatches of all rows start at the same x, after the longest name.
    """
    names = [_legend_name(channel.name.get(language)) for channel in report.channels]
    swatches_x = max(start for _, start in names)
    parts = []
    y = top
    for index, (name, _) in enumerate(names):
        color = channel_color(index)
        parts.append(text(_LEGEND_LEFT, y, name, font_weight=600))
        x = swatches_x
        for measure in _MEASURES:
            label = translate(f"measure.{measure}", language)
            markup, width = _swatch(x, y, tint(color, _MEASURE_STRENGTH[measure]), label)
            parts.append(markup)
            x += width
        y += 18
    return "".join(parts), y - top


def _figure_chart(
    report: CampaignReport,
    language: Language,
    editions: Sequence[EditionReport],
    ticks: Sequence[int],
    chart_id: str,
    chart_title: str,
) -> str:
    channel_count = len(report.channels)
    bar = max(6.0, min(10.0, 36.0 / (3 * channel_count)))
    channel_gap = 3.0
    bars_height = 3 * channel_count * bar + (channel_count - 1) * channel_gap
    group_height = max(bars_height, _LABEL_HEIGHT) + 14
    labels_on_top = len(editions) > 6

    legend, legend_height = _figure_legend(report, language, 18)
    plot_top = 18 + legend_height + (18 if labels_on_top else 2)
    plot_bottom = plot_top + group_height * len(editions)
    height = plot_bottom + 44

    def scale(value: float) -> float:
        return _PLOT_LEFT + _PLOT_WIDTH * value / ticks[-1]

    body = [legend]
    body += _x_axis(
        ticks,
        scale,
        lambda tick: format_count(int(tick)),
        plot_top,
        plot_bottom,
        translate("chart.figures.axis", language),
        labels_on_top=labels_on_top,
    )

    for row, edition in enumerate(editions):
        group_top = plot_top + row * group_height
        center = group_top + group_height / 2
        if row:
            body.append(
                element("line", x1=16, y1=group_top, x2=_PLOT_RIGHT, y2=group_top, stroke=GRID)
            )
        body.append(_edition_label(edition, language, center))

        bars_top = center - bars_height / 2
        name = _edition_name(edition, language)
        for index, channel in enumerate(report.channels):
            pool = edition.pool_for(channel.id)
            color = channel_color(index)
            for position, measure in enumerate(_MEASURES):
                value = getattr(pool, measure) if pool is not None else 0
                y = bars_top + index * (3 * bar + channel_gap) + position * bar
                label = (
                    f"{name} · {channel.name.get(language)} · "
                    f"{translate(f'measure.{measure}', language)}: {format_count(value)}"
                )
                body.append(
                    element(
                        "rect",
                        title(label),
                        x=_PLOT_LEFT,
                        y=y,
                        width=scale(value) - _PLOT_LEFT,
                        height=bar - 1,
                        fill=tint(color, _MEASURE_STRENGTH[measure]),
                    )
                )

        if edition.round_state != "seeded":
            state = translate(f"state.{edition.round_state}", language)
            body.append(
                text(
                    _PLOT_RIGHT - 4,
                    center + 4,
                    state,
                    text_anchor="end",
                    font_weight=600,
                    fill=WARNING if edition.round_state == "failed" else MUTED,
                    stroke="#ffffff",
                    stroke_width=3,
                    paint_order="stroke",
                )
            )

    description = translate("chart.figures.desc", language)
    return _svg(chart_id, height, chart_title, description, body)


# --------------------------------------------------------------------------------------------
# Share of new users
# --------------------------------------------------------------------------------------------


def share_charts(report: CampaignReport, language: Language) -> list[Chart]:
    """Draw the share of new users among winners and among issued badges per edition.

    Returns no chart when the report names no new-users channel.
    """
    channel = report.new_users
    if channel is None:
        return []
    color = channel_color(report.channels.index(channel))
    parts = _parts(report.editions, EDITIONS_PER_CHART)

    charts = []
    for number_, part in enumerate(parts, start=1):
        chart_id = f"chart-share-{number_}"
        chart_title = _part_title("chart.share.title", language, number_, len(parts))
        svg = _share_chart(report, language, part, color, chart_id, chart_title)
        charts.append(Chart(id=chart_id, title=chart_title, svg=svg))
    return charts


def _share_chart(
    report: CampaignReport,
    language: Language,
    editions: Sequence[EditionReport],
    color: str,
    chart_id: str,
    chart_title: str,
) -> str:
    channel = report.new_users
    assert channel is not None
    bar = 11.0
    group_height = _LABEL_HEIGHT + 14
    labels_on_top = len(editions) > 6
    ticks = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]

    name, x = _legend_name(channel.name.get(language))
    legend_parts = [text(_LEGEND_LEFT, 18, name, font_weight=600)]
    for measure, strength in (("share_winners", 0.55), ("share_issued", 1.0)):
        label = translate(f"measure.{measure}", language)
        markup, width = _swatch(x, 18, tint(color, strength), label)
        legend_parts.append(markup)
        x += width
    if channel.planned_share is not None:
        planned = translate(
            "chart.share.planned", language, share=format_percent(channel.planned_share, language)
        )
        legend_parts.append(
            element("line", x1=x, y1=13, x2=x + 18, y2=13, stroke=INK, stroke_dasharray="4 3")
        )
        legend_parts.append(text(x + 22, 18, planned))

    plot_top = 36 + (18 if labels_on_top else 2)
    plot_bottom = plot_top + group_height * len(editions)
    height = plot_bottom + 44

    def scale(value: float) -> float:
        return _PLOT_LEFT + _PLOT_WIDTH * value

    planned_x = None if channel.planned_share is None else scale(channel.planned_share)
    body = ["".join(legend_parts)]
    body += _x_axis(
        ticks,
        scale,
        lambda tick: format_percent(tick, language, digits=0),
        plot_top,
        plot_bottom,
        translate("chart.share.axis", language),
        labels_on_top=labels_on_top,
    )

    for row, edition in enumerate(editions):
        group_top = plot_top + row * group_height
        center = group_top + group_height / 2
        if row:
            body.append(
                element("line", x1=16, y1=group_top, x2=_PLOT_RIGHT, y2=group_top, stroke=GRID)
            )
        body.append(_edition_label(edition, language, center))
        name = _edition_name(edition, language)

        shares = (
            ("share_winners", edition.share_of_winners(channel.id), 0.55),
            ("share_issued", edition.share_of_issued(channel.id), 1.0),
        )
        for position, (measure, share, strength) in enumerate(shares):
            y = center - bar - 1 + position * (bar + 2)
            label = f"{name} · {translate(f'measure.{measure}', language)}: "
            if share is None:
                none_text = translate("chart.share.none_issued", language)
                body.append(text(_PLOT_LEFT + 4, y + bar - 2, none_text, font_size=10, fill=MUTED))
                continue
            formatted = format_percent(share, language)
            end = scale(share)
            body.append(
                element(
                    "rect",
                    title(label + formatted),
                    x=_PLOT_LEFT,
                    y=y,
                    width=end - _PLOT_LEFT,
                    height=bar,
                    fill=tint(color, strength),
                )
            )
            body.append(_share_value_label(end, y + bar - 2, formatted, planned_x))

    if planned_x is not None:
        body.append(
            element(
                "line",
                x1=planned_x,
                y1=plot_top,
                x2=planned_x,
                y2=plot_bottom,
                stroke=INK,
                stroke_width=1.25,
                stroke_dasharray="4 3",
            )
        )

    description = translate("chart.share.desc", language)
    return _svg(chart_id, height, chart_title, description, body)


def _share_value_label(end: float, baseline: float, formatted: str, planned_x: float | None) -> str:
    """Write a share right of its bar and clear of the planned-share line, or inside the bar
    when it ends too close to the plot's right edge."""
    x = end + 5
    if planned_x is not None and abs(end - planned_x) < 44:
        x = max(end, planned_x) + 5
    if x + 40 > _PLOT_RIGHT:
        return text(end - 4, baseline, formatted, text_anchor="end", font_size=9.5, fill="#ffffff")
    return text(x, baseline, formatted, font_size=9.5)


# --------------------------------------------------------------------------------------------
# Issue timeline
# --------------------------------------------------------------------------------------------

_TIMELINE_LEFT = 72
_TIMELINE_PLOT_HEIGHT = 240
_AVERAGE_MONTH_SECONDS = 30.44 * 86400

_SECOND_STEPS = (
    60,
    5 * 60,
    15 * 60,
    30 * 60,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86400,
    2 * 86400,
    7 * 86400,
    14 * 86400,
)
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
_MAX_TICKS_WITH_TIME = 5
_MAX_TICKS_WITH_DAY = 7
_MAX_TICKS_WITH_MONTH = 9
"""Maximum ticks per time axis for each label form, so that labels do not overlap at 760 wide."""


def _time_ticks(
    start: dt.datetime, end: dt.datetime, zone: ZoneInfo
) -> tuple[list[dt.datetime], str]:
    """Return round tick times between `start` and `end` in `zone`, and their strftime format.

    The smallest step from one minute to ten years whose labels fit wins: at most 5 ticks labelled
    with date and time, 7 with a date, 9 with a month. Ticks fall on whole minutes or hours,
    local midnights, or first days of months.
    """
    span = (end - start).total_seconds()
    local_start = start.astimezone(zone)
    midnight = local_start.replace(hour=0, minute=0, second=0, microsecond=0)

    for step in _SECOND_STEPS:
        limit = _MAX_TICKS_WITH_TIME if step < 86400 else _MAX_TICKS_WITH_DAY
        if span / step > limit:
            continue
        if step < 86400:
            elapsed = (local_start - midnight).total_seconds()
            tick = midnight + dt.timedelta(seconds=math.ceil(elapsed / step) * step)
            tick_format = "%Y-%m-%d %H:%M"
        else:
            tick = midnight if midnight >= local_start else midnight + dt.timedelta(days=1)
            tick_format = "%Y-%m-%d"
        ticks = []
        while tick <= end:
            ticks.append(tick)
            # Wall-clock arithmetic in `zone`, so ticks stay on local hours and midnights.
            tick += dt.timedelta(seconds=step)
        return ticks, tick_format

    for months in _MONTH_STEPS:
        if span / (months * _AVERAGE_MONTH_SECONDS) > _MAX_TICKS_WITH_MONTH and months != 120:
            continue
        # Months counted from year 0, so a step of 3 lands on January, April, July, October.
        index = local_start.year * 12 + local_start.month - 1
        if local_start != midnight.replace(day=1):
            index += 1
        index = math.ceil(index / months) * months
        ticks = []
        while (tick := dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)) <= end:
            ticks.append(tick)
            index += months
        return ticks, "%Y-%m"
    raise AssertionError("unreachable: the last month step always returns")


def _step_path(
    times: Sequence[float],
    x_of: Callable[[float], float],
    y_of: Callable[[int], float],
    x_start: float,
    x_end: float,
) -> str:
    """Return the path of a count that steps up by one at each time in the sorted `times`.

    Events that fall on the same half unit of x merge into one step, so a path has at most two
    commands per half unit of width, whatever the number of badges.
    """
    commands = [f"M{number(x_start)} {number(y_of(0))}"]
    count = 0
    pending_x: float | None = None
    for moment in times:
        x = round(x_of(moment) * 2) / 2
        if pending_x is not None and x != pending_x:
            commands.append(f"H{number(pending_x)}V{number(y_of(count))}")
        pending_x = x
        count += 1
    if pending_x is not None:
        commands.append(f"H{number(pending_x)}V{number(y_of(count))}")
    commands.append(f"H{number(x_end)}")
    return "".join(commands)


@dataclass(frozen=True)
class _Line:
    name: str
    color: str
    width: float
    channel: str | None
    """Channel id, or None for the total."""


def _timeline_legend(lines: Sequence[_Line]) -> tuple[list[str], float]:
    """Lay out the legend in rows that wrap at the plot's right edge; return it and its height."""
    parts = []
    x, y = float(_TIMELINE_LEFT), 18.0
    for line in lines:
        width = 25 + text_width(line.name, 11) + 18
        if x > _TIMELINE_LEFT and x + width > _PLOT_RIGHT:
            x, y = float(_TIMELINE_LEFT), y + 18
        parts.append(
            element(
                "line",
                x1=x,
                y1=y - 4,
                x2=x + 20,
                y2=y - 4,
                stroke=line.color,
                stroke_width=line.width,
            )
        )
        parts.append(text(x + 25, y, line.name))
        x += width
    return parts, y + 8


def timeline_chart(report: CampaignReport, language: Language) -> Chart:
    """Draw the badges issued so far over block time: one line in total and one per channel."""
    chart_id = "chart-timeline"
    chart_title = translate("chart.timeline.title", language)
    description = translate("chart.timeline.desc", language)
    zone = report.zone
    plot_width = _PLOT_RIGHT - _TIMELINE_LEFT

    lines = [_Line(translate("chart.timeline.total", language), INK, 2.5, None)]
    for index, channel in enumerate(report.channels):
        lines.append(_Line(channel.name.get(language), channel_color(index), 1.5, channel.id))
    body, legend_height = _timeline_legend(lines)
    top = legend_height + 18
    bottom = top + _TIMELINE_PLOT_HEIGHT
    height = bottom + 58

    issues = sorted(
        (issue for edition in report.editions for issue in edition.timeline),
        key=lambda issue: issue.at,
    )
    ticks = count_ticks(len(issues))

    def y_of(count: int) -> float:
        return bottom - _TIMELINE_PLOT_HEIGHT * count / ticks[-1]

    for tick in ticks:
        y = y_of(tick)
        body.append(element("line", x1=_TIMELINE_LEFT, y1=y, x2=_PLOT_RIGHT, y2=y, stroke=GRID))
        body.append(
            text(_TIMELINE_LEFT - 8, y + 4, format_count(tick), text_anchor="end", fill=MUTED)
        )
    body.append(
        element("line", x1=_TIMELINE_LEFT, y1=bottom, x2=_PLOT_RIGHT, y2=bottom, stroke=AXIS)
    )
    body.append(
        element("line", x1=_TIMELINE_LEFT, y1=top, x2=_TIMELINE_LEFT, y2=bottom, stroke=AXIS)
    )
    label_y = (top + bottom) / 2
    body.append(
        text(
            16,
            label_y,
            translate("chart.timeline.y_axis", language),
            text_anchor="middle",
            font_weight=600,
            transform=f"rotate(-90 16 {number(label_y)})",
        )
    )
    reference = issues[0].at if issues else report.generated_at
    zone_label = f"{report.timezone}, {format_utc_offset(reference.astimezone(zone))}"
    body.append(
        text(
            _TIMELINE_LEFT + plot_width / 2,
            height - 12,
            translate("chart.timeline.x_axis", language, zone=zone_label),
            text_anchor="middle",
            font_weight=600,
        )
    )

    if not issues:
        body.append(
            text(
                _TIMELINE_LEFT + plot_width / 2,
                label_y,
                translate("chart.timeline.empty", language),
                text_anchor="middle",
                font_size=13,
                fill=MUTED,
            )
        )
        svg = _svg(chart_id, height, chart_title, description, body)
        return Chart(id=chart_id, title=chart_title, svg=svg)

    first, last = issues[0].at, issues[-1].at
    span = (last - first).total_seconds()
    # Pad the time axis so the first and last steps stand clear of the plot's edges; a single
    # moment still gets an hour of axis.
    padding = dt.timedelta(seconds=max(span * 0.03, 1800))
    start, end = first - padding, last + padding
    start_seconds, end_seconds = start.timestamp(), end.timestamp()

    def x_of(moment: float) -> float:
        return _TIMELINE_LEFT + plot_width * (moment - start_seconds) / (
            end_seconds - start_seconds
        )

    tick_times, tick_format = _time_ticks(start, end, zone)
    for tick_time in tick_times:
        x = x_of(tick_time.timestamp())
        label = tick_time.astimezone(zone).strftime(tick_format)
        # A label centred on a tick near the chart's edge would be cut off: align it inward.
        half = text_width(label, 11) / 2
        anchor = "middle"
        if x + half > WIDTH - 4:
            anchor = "end"
        elif x - half < 4:
            anchor = "start"
        body.append(element("line", x1=x, y1=top, x2=x, y2=bottom, stroke=GRID))
        body.append(text(x, bottom + 16, label, text_anchor=anchor, fill=MUTED))

    times: dict[str | None, list[float]] = {line.channel: [] for line in lines}
    for issue in issues:
        moment = issue.at.timestamp()
        times[None].append(moment)
        times[issue.channel].append(moment)

    total_path = _step_path(times[None], x_of, y_of, _TIMELINE_LEFT, _PLOT_RIGHT)
    area = f"{total_path}V{number(bottom)}H{_TIMELINE_LEFT}Z"
    body.append(element("path", d=area, fill=tint(INK, 0.07), stroke="none"))

    # The total goes last, so it stays visible where a channel's line runs along it.
    for line in reversed(lines):
        path = _step_path(times[line.channel], x_of, y_of, _TIMELINE_LEFT, _PLOT_RIGHT)
        body.append(
            element(
                "path",
                title(f"{line.name}: {format_count(len(times[line.channel]))}"),
                d=path,
                fill="none",
                stroke=line.color,
                stroke_width=line.width,
                stroke_linejoin="round",
            )
        )

    svg = _svg(chart_id, height, chart_title, description, body)
    return Chart(id=chart_id, title=chart_title, svg=svg)
