"""Chart helpers: axis ticks, time ticks, text fitting and colours."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from merit.report.charts import _time_ticks
from merit.report.svg import count_ticks, fit_text, text_width, tint

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("maximum", [0, 1, 2, 3, 7, 10, 99, 100, 101, 2_683, 96_410_212])
def test_count_ticks_cover_maximum(maximum: int) -> None:
    ticks = count_ticks(maximum)

    assert ticks[0] == 0
    assert ticks[-1] >= maximum
    steps = {later - earlier for earlier, later in itertools.pairwise(ticks)}
    assert len(steps) == 1
    assert 2 <= len(ticks) <= 11
    assert all(isinstance(tick, int) for tick in ticks)


@pytest.mark.parametrize(
    ("span", "expected_format"),
    [
        (dt.timedelta(minutes=20), "%Y-%m-%d %H:%M"),
        (dt.timedelta(hours=7), "%Y-%m-%d %H:%M"),
        (dt.timedelta(days=3), "%Y-%m-%d"),
        (dt.timedelta(days=40), "%Y-%m-%d"),
        (dt.timedelta(days=180), "%Y-%m"),
        (dt.timedelta(days=3650), "%Y-%m"),
        (dt.timedelta(days=365 * 40), "%Y-%m"),
    ],
)
def test_time_ticks_are_round_and_inside_span(span: dt.timedelta, expected_format: str) -> None:
    start = dt.datetime(2022, 6, 21, 9, 47, 13, tzinfo=dt.UTC)
    end = start + span

    ticks, tick_format = _time_ticks(start, end, SHANGHAI)

    assert tick_format == expected_format
    assert ticks, "no tick on the axis"
    assert len(ticks) <= 9
    assert all(start <= tick <= end for tick in ticks)
    assert ticks == sorted(ticks)
    for tick in ticks:
        local = tick.astimezone(SHANGHAI)
        assert local.second == 0
        if tick_format != "%Y-%m-%d %H:%M":
            assert (local.hour, local.minute) == (0, 0)
        if tick_format == "%Y-%m":
            assert local.day == 1


def test_fit_text_shortens_with_ellipsis() -> None:
    name = "New registrations holding a verified bank wallet of tier two or higher"

    fitted = fit_text(name, 120, 11)

    assert fitted.endswith("…")
    assert text_width(fitted, 11) <= 120
    assert fit_text("夏至", 120, 11) == "夏至"


def test_text_width_counts_cjk_as_one_em() -> None:
    assert text_width("夏至", 10) == pytest.approx(20)
    assert text_width("ab", 10) < text_width("夏至", 10)


def test_tint_mixes_with_white() -> None:
    assert tint("#1d4e89", 1.0) == "#1d4e89"
    assert tint("#1d4e89", 0.0) == "#ffffff"
    assert tint("#000000", 0.5) == "#808080"
