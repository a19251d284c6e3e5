"""The example's release days are the days of their solar terms in Beijing time.

A solar term begins when the Sun's apparent ecliptic longitude reaches a multiple of 15 degrees.
The test computes that longitude with the low-accuracy solar theory of Jean Meeus, "Astronomical
Algorithms", 2nd edition (1998), chapter 25. That theory is accurate to about 0.01 degree, or 15
minutes of time. The test checks that the longitude crosses the term's value between 00:00 and
24:00 Beijing time on the release day. The 2022 term closest to midnight, White Dew at about
23:32, is more than 20 minutes away from it, so this accuracy decides every day here. Delta T
(about 69 s in 2022) is ignored for the same reason.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from merit.campaign import Campaign

# Apparent solar longitude in degrees at which each term begins.
TERM_LONGITUDE = {
    "xiazhi": 90,
    "dashu": 120,
    "liqiu": 135,
    "bailu": 165,
    "qiufen": 180,
    "shuangjiang": 210,
    "lidong": 225,
    "daxue": 255,
}
BEIJING = dt.timezone(dt.timedelta(hours=8))


def apparent_solar_longitude(moment: dt.datetime) -> float:
    """Return the Sun's apparent ecliptic longitude in degrees (Meeus, chapter 25)."""
    julian_day = moment.timestamp() / 86_400 + 2_440_587.5
    t = (julian_day - 2_451_545.0) / 36_525
    mean_longitude = 280.46646 + 36_000.76983 * t + 0.0003032 * t * t
    mean_anomaly = math.radians(357.52911 + 35_999.05029 * t - 0.0001537 * t * t)
    centre = (
        (1.914602 - 0.004817 * t - 0.000014 * t * t) * math.sin(mean_anomaly)
        + (0.019993 - 0.000101 * t) * math.sin(2 * mean_anomaly)
        + 0.000289 * math.sin(3 * mean_anomaly)
    )
    node = math.radians(125.04 - 1_934.136 * t)
    # Nutation in longitude and aberration, in the book's short form.
    return (mean_longitude + centre - 0.00569 - 0.00478 * math.sin(node)) % 360


def degrees_past(longitude: float, target: float) -> float:
    """Return how far `longitude` is past `target`, in (-180, 180]."""
    return (longitude - target + 180) % 360 - 180


@pytest.mark.parametrize("edition_id", list(TERM_LONGITUDE))
def test_release_day_is_solar_term_day(campaign: Campaign, edition_id: str) -> None:
    day = campaign.edition(edition_id).released_on
    start = dt.datetime.combine(day, dt.time(), tzinfo=BEIJING)
    target = TERM_LONGITUDE[edition_id]

    assert degrees_past(apparent_solar_longitude(start), target) < 0
    assert degrees_past(apparent_solar_longitude(start + dt.timedelta(days=1)), target) >= 0


def test_solar_longitude_matches_meeus_example() -> None:
    # Meeus, example 25.a: on 1992 October 13.0 TD the apparent longitude is 199.90895 degrees.
    moment = dt.datetime(1992, 10, 13, tzinfo=dt.timezone.utc)

    assert apparent_solar_longitude(moment) == pytest.approx(199.90895, abs=1e-4)
