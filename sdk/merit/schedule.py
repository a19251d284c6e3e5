"""Where a campaign's calendar meets the chain's clock.

A campaign file gives real dates: the 2022 solar terms in the model case. On a live network the
chain's clock is the calendar, so those windows must lie ahead. A local chain (the embedded chain
or anvil) starts today, yet the campaign should still run edition by edition in the order and
spacing of its calendar. There the campaign is *replayed*: every campaign time is shifted by one
fixed offset, a whole number of days chosen when the journal first meets the chain, so that the
first window opens just after the chain's current time, and the run moves the chain's clock
forward to each window as it reaches it. Reports map chain times back to the campaign calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["DAY", "Schedule", "replay_offset"]

DAY = 24 * 3600
REPLAY_LEAD_SECONDS = 3600
"""How far after the chain's current time the first window opens in a replay."""


@dataclass(frozen=True)
class Schedule:
    """Maps campaign times to chain timestamps.

    Attributes:
        offset_seconds: Added to a campaign time to get the chain time; zero on live networks.
        replay: True on a local chain, where the run may move the chain's clock forward.
    """

    offset_seconds: int
    replay: bool

    def chain_time(self, moment: dt.datetime) -> int:
        """Return the chain timestamp of a time-zone-aware campaign time."""
        if moment.tzinfo is None:
            raise ValueError(f"Campaign time {moment} has no time zone; pass an aware datetime.")
        return int(moment.timestamp()) + self.offset_seconds

    def campaign_time(self, timestamp: int) -> dt.datetime:
        """Return the campaign time (UTC) of a chain timestamp."""
        return dt.datetime.fromtimestamp(timestamp - self.offset_seconds, tz=dt.timezone.utc)


def replay_offset(first_window_opens: dt.datetime, chain_now: int) -> int:
    """Return the offset, in whole days, that puts `first_window_opens` just after `chain_now`.

    A campaign whose first window is still far enough ahead keeps offset zero.
    """
    earliest = chain_now + REPLAY_LEAD_SECONDS
    opens = int(first_window_opens.timestamp())
    if opens >= earliest:
        return 0
    days = -(-(earliest - opens) // DAY)
    return days * DAY
