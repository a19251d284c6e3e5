"""Small helpers that write SVG markup as text: escaped elements, colours, text widths, ticks.

Every chart is inline SVG written by hand, so the pages need no JavaScript, no font files and no
images. Every attribute value and text node goes through `html.escape`, whose output is also
valid XML, so each chart parses with `xml.etree`.
"""

from __future__ import annotations

import math
import unicodedata
from html import escape

__all__ = [
    "AXIS",
    "CHANNEL_COLORS",
    "FONT_STACK",
    "GRID",
    "INK",
    "MUTED",
    "WARNING",
    "channel_color",
    "count_ticks",
    "element",
    "fit_text",
    "number",
    "text",
    "text_width",
    "tint",
    "title",
]

FONT_STACK = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'Hiragino Sans GB', 'Helvetica Neue', Arial, sans-serif"
)
"""Fonts that the reader's system already has; the pages embed none."""

INK = "#1f2933"
MUTED = "#5f6b76"
GRID = "#e4e8ec"
AXIS = "#8a96a3"
WARNING = "#b3261e"

CHANNEL_COLORS = (
    "#1d4e89",
    "#c8553d",
    "#2a8c82",
    "#b7862b",
    "#6d4c8f",
    "#4f6d7a",
    "#7a8b2e",
    "#b05a84",
)
"""One colour per channel, in channel order; they stay distinct when printed in grey."""


def channel_color(index: int) -> str:
    """Return the colour of the channel at `index` in the report's channel list."""
    return CHANNEL_COLORS[index % len(CHANNEL_COLORS)]


def tint(color: str, strength: float) -> str:
    """Mix `color` (``#rrggbb``) with white: strength 1 keeps it, 0 gives white."""
    channels = [int(color[position : position + 2], 16) for position in (1, 3, 5)]
    mixed = [round(255 - (255 - value) * strength) for value in channels]
    return "#" + "".join(f"{value:02x}" for value in mixed)


def number(value: float) -> str:
    """Format a coordinate with at most two decimals and no trailing zeros."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0")


def _attributes(attributes: dict[str, object]) -> str:
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        # Keyword arguments cannot contain hyphens: text_anchor becomes text-anchor.
        attribute = "class" if name == "class_" else name.replace("_", "-")
        formatted = number(value) if isinstance(value, float) else str(value)
        parts.append(f' {attribute}="{escape(formatted, quote=True)}"')
    return "".join(parts)


def element(tag: str, content: str = "", **attributes: object) -> str:
    """Return an SVG element; `content` is markup that the caller already escaped."""
    if content:
        return f"<{tag}{_attributes(attributes)}>{content}</{tag}>"
    return f"<{tag}{_attributes(attributes)}/>"


def text(x: float, y: float, value: str, **attributes: object) -> str:
    """Return a `<text>` element that shows `value`, escaped."""
    return element("text", escape(value, quote=False), x=float(x), y=float(y), **attributes)


def title(value: str) -> str:
    """Return a `<title>` child, which browsers show as a tooltip and screen readers read."""
    return f"<title>{escape(value, quote=False)}</title>"


def text_width(value: str, size: float) -> float:
    """Estimate the width of `value` at font size `size`, in the same unit.

    NOTE: an estimate from character classes (CJK and full-width characters one em, other
    characters 0.58 em), because the page cannot measure text without JavaScript. It errs wide
    for Latin text, so fitted labels stay inside their area.
    """
    width = 0.0
    for char in value:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += 1.0
        elif unicodedata.combining(char):
            continue
        else:
            width += 0.58
    return width * size


def fit_text(value: str, max_width: float, size: float) -> str:
    """Shorten `value` with an ellipsis until its estimated width fits `max_width`."""
    if text_width(value, size) <= max_width:
        return value
    shortened = value
    while shortened and text_width(shortened + "…", size) > max_width:
        shortened = shortened[:-1]
    return shortened.rstrip() + "…"


def count_ticks(max_value: int, target: int = 5) -> list[int]:
    """Return evenly spaced integer ticks from 0 that cover `max_value`, about `target` steps.

    Steps are 1, 2 or 5 times a power of ten. A maximum of 0 gives the ticks 0 and 1, so a chart
    of zeros still has an axis.
    """
    if max_value <= 0:
        return [0, 1]
    raw_step = max_value / target
    magnitude = 10 ** math.floor(math.log10(raw_step)) if raw_step >= 1 else 1
    step = next(
        multiple * magnitude for multiple in (1, 2, 5, 10) if multiple * magnitude >= raw_step
    )
    step = max(1, int(step))
    top = math.ceil(max_value / step) * step
    return list(range(0, top + 1, step))
