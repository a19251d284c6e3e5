"""SVG badge designs for the solar terms of the Palace Solar Terms 2022 example.

Every design shares one medallion of 512 x 512 pixels. It has an outer ring, a dashed inner ring
that recalls the fret borders of palace ornament, and a disc with a radial glow. On the disc are a
motif drawn with SVG shapes, the term's Chinese name large, its English name small, and the year.
A design differs from the others by its palette and its motif.

The files are self-contained: no external fonts, images or links, only the generic font
families `serif` and `sans-serif`. Coordinates are integers, and rotations are SVG transforms,
so no floating-point trigonometry can make the output differ between platforms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DESIGNS", "Design", "render_artwork"]

YEAR = 2022


@dataclass(frozen=True)
class Design:
    """The look of one edition's badge.

    Attributes:
        zh: The solar term's Chinese name.
        en: The solar term's English name.
        motif: One sentence that describes the motif, for the SVG's description.
        ring: Color of the outer ring.
        glow: Color at the center of the disc and of the dashed ring.
        ground: Color at the edge of the disc.
        ink: Color of the text.
        draw: Function that returns the motif's SVG elements.
    """

    zh: str
    en: str
    motif: str
    ring: str
    glow: str
    ground: str
    ink: str
    draw: Callable[[], str]


def _rotated(element_id: str, angles: range | list[int], center: tuple[int, int]) -> str:
    x, y = center
    return "".join(
        f'<use href="#{element_id}" transform="rotate({angle} {x} {y})"/>' for angle in angles
    )


def _snowflake(element_id: str, color: str, arm: int, width: int) -> str:
    """Return a six-armed crystal centered on 0,0, for `<use>` with a translation."""
    tip, tick = -arm + arm // 3, arm // 3
    arms = "".join(
        f'<path d="M0 0V{-arm}M{-tick} {tip - tick}L0 {tip}L{tick} {tip - tick}" '
        f'transform="rotate({angle})"/>'
        for angle in range(0, 360, 60)
    )
    return (
        f'<g id="{element_id}" fill="none" stroke="{color}" stroke-width="{width}" '
        f'stroke-linecap="round">{arms}</g>'
    )


def _draw_xiazhi() -> str:
    rays = (
        '<polygon id="ray-long" points="247,92 265,92 256,52" fill="#F2A900"/>'
        '<polygon id="ray-short" points="250,104 262,104 256,78" fill="#E8890C"/>'
    )
    return (
        f"<defs>{rays}</defs>"
        + _rotated("ray-long", range(0, 360, 30), (256, 170))
        + _rotated("ray-short", range(15, 360, 30), (256, 170))
        + '<circle cx="256" cy="170" r="60" fill="#F7B500" stroke="#E07B00" stroke-width="6"/>'
        '<circle cx="256" cy="170" r="38" fill="#FFD45C"/>'
        '<g fill="#FFFDF4" stroke="#E9B949" stroke-width="3">'
        '<rect x="120" y="226" width="128" height="22" rx="11"/>'
        '<rect x="170" y="250" width="110" height="20" rx="10"/>'
        '<rect x="282" y="236" width="112" height="20" rx="10"/>'
        "</g>"
    )


def _draw_dashu() -> str:
    petal = (
        '<ellipse id="petal" cx="256" cy="176" rx="24" ry="58" fill="#EE8C9B" stroke="#B8445A" '
        'stroke-width="3"/>'
    )
    inner = (
        '<ellipse id="inner-petal" cx="256" cy="196" rx="18" ry="40" fill="#F8B9C2" '
        'stroke="#B8445A" stroke-width="3"/>'
    )
    return (
        f"<defs>{petal}{inner}</defs>"
        '<circle cx="256" cy="138" r="86" fill="#FFD27A" opacity="0.55"/>'
        '<g fill="none" stroke="#E7743B" stroke-width="4" stroke-linecap="round">'
        '<path d="M110 96q12-12 24 0t24 0t24 0"/><path d="M330 96q12-12 24 0t24 0t24 0"/>'
        "</g>"
        '<ellipse cx="256" cy="262" rx="140" ry="24" fill="#2E8B57"/>'
        '<ellipse cx="256" cy="258" rx="120" ry="16" fill="#3FA66B"/>'
        + _rotated("petal", [-64, -32, 32, 64], (256, 236))
        + '<use href="#petal"/>'
        + _rotated("inner-petal", [-30, 30], (256, 236))
        + '<circle cx="256" cy="214" r="14" fill="#F2C94C" stroke="#C9952B" stroke-width="3"/>'
    )


def _draw_liqiu() -> str:
    leaf = (
        '<g id="ginkgo">'
        '<path d="M256 222C232 196 190 150 176 118C208 88 236 84 250 96L256 122L262 96'
        'C276 84 304 88 336 118C322 150 280 196 256 222Z" fill="#E0A91E" stroke="#9C6F0C" '
        'stroke-width="4"/>'
        '<path d="M256 222V124M256 222L214 116M256 222L298 116M256 222L190 128M256 222L322 128" '
        'stroke="#B8860B" stroke-width="2" fill="none"/>'
        '<path d="M256 222Q258 248 250 274" stroke="#7A5608" stroke-width="5" fill="none" '
        'stroke-linecap="round"/>'
        "</g>"
    )
    return (
        f"<defs>{leaf}</defs>"
        '<use href="#ginkgo" transform="rotate(-14 256 200)"/>'
        '<use href="#ginkgo" transform="translate(352 188) rotate(38) scale(0.38) translate(-256 '
        '-180)" opacity="0.85"/>'
        '<use href="#ginkgo" transform="translate(142 232) rotate(-52) scale(0.28) translate(-256 '
        '-180)" opacity="0.7"/>'
    )


def _draw_bailu() -> str:
    drops = "".join(
        f'<circle cx="{x}" cy="{y}" r="{r}"/>'
        for x, y, r in (
            (136, 148, 11),
            (232, 110, 13),
            (310, 160, 10),
            (370, 206, 9),
            (100, 222, 8),
            (220, 186, 7),
        )
    )
    shines = "".join(
        f'<circle cx="{x - 3}" cy="{y - 4}" r="3"/>'
        for x, y in ((136, 148), (232, 110), (310, 160))
    )
    return (
        '<path d="M342 62A46 46 0 1 0 342 154A60 60 0 0 1 342 62Z" fill="#FBF1C7" stroke="#A9BDCD" '
        'stroke-width="3"/>'
        '<g fill="none" stroke-linecap="round">'
        '<g stroke="#5E8C6F" stroke-width="9">'
        '<path d="M184 292Q176 212 136 148"/><path d="M226 292Q220 180 232 110"/>'
        '<path d="M262 292Q272 216 310 160"/>'
        "</g>"
        '<g stroke="#86B096" stroke-width="7">'
        '<path d="M296 292Q312 240 370 206"/><path d="M160 292Q146 248 100 222"/>'
        '<path d="M240 292Q236 230 220 186"/><path d="M206 292Q196 262 170 246"/>'
        '<path d="M280 292Q290 262 320 250"/>'
        "</g>"
        "</g>"
        f'<g fill="#FFFFFF" stroke="#7FA3BD" stroke-width="3">{drops}</g>'
        f'<g fill="#FFFFFF">{shines}</g>'
    )


def _draw_qiufen() -> str:
    stars = "".join(
        f'<circle cx="{x}" cy="{y}" r="{r}"/>'
        for x, y, r in ((352, 96, 3), (384, 136, 2), (340, 222, 2), (392, 196, 3), (318, 72, 2))
    )
    blossoms = "".join(
        f'<g transform="translate({x} {y})">'
        '<circle cx="0" cy="-5" r="4"/><circle cx="5" cy="0" r="4"/>'
        '<circle cx="0" cy="5" r="4"/><circle cx="-5" cy="0" r="4"/></g>'
        for x, y in ((128, 110), (150, 216), (112, 176), (176, 86))
    )
    return (
        '<path d="M256 92A76 76 0 0 0 256 244Z" fill="#F2C14E"/>'
        '<path d="M256 92A76 76 0 0 1 256 244Z" fill="#E9E4D4"/>'
        '<circle cx="256" cy="168" r="76" fill="none" stroke="#C9A227" stroke-width="5"/>'
        '<path d="M96 168H416" stroke="#C9A227" stroke-width="3" stroke-dasharray="2 8" '
        'stroke-linecap="round"/>'
        f'<g fill="#F3E3B0">{stars}</g>'
        f'<g fill="#F2C14E">{blossoms}</g>'
    )


def _draw_shuangjiang() -> str:
    maple = (
        '<path id="maple" d="M0 -56L9 -32L27 -42L22 -16L48 -20L36 0L50 12L16 10L8 30L0 26'
        'L-8 30L-16 10L-50 12L-36 0L-48 -20L-22 -16L-27 -42L-9 -32Z M0 26V60" stroke-width="3" '
        'stroke-linejoin="round"/>'
    )
    return (
        f"<defs>{maple}{_snowflake('frost', '#8FB3CC', 16, 3)}</defs>"
        '<use href="#maple" transform="translate(256 160) rotate(-10) scale(1.5)" fill="#C0392B" '
        'stroke="#7B1E14"/>'
        '<use href="#maple" transform="translate(140 226) rotate(-38) scale(0.8)" fill="#E67E22" '
        'stroke="#9A4A0C"/>'
        '<use href="#maple" transform="translate(372 228) rotate(30) scale(0.75)" fill="#A93226" '
        'stroke="#6B1A12"/>'
        '<use href="#frost" transform="translate(156 112)"/>'
        '<use href="#frost" transform="translate(366 104) scale(0.8)"/>'
        '<use href="#frost" transform="translate(318 266) scale(0.6)"/>'
        '<use href="#frost" transform="translate(196 262) scale(0.5)"/>'
    )


def _draw_lidong() -> str:
    fruit = (
        '<g id="persimmon">'
        '<circle cx="0" cy="0" r="20" fill="#EA7A1F" stroke="#B4510B" stroke-width="3"/>'
        '<path d="M0 -20L7 -28L4 -18L14 -20L6 -14L0 -22L-6 -14L-14 -20L-4 -18L-7 -28Z" '
        'fill="#3D5A2A"/>'
        "</g>"
    )
    return (
        f"<defs>{fruit}</defs>"
        '<g fill="none" stroke="#4A3B30" stroke-linecap="round">'
        '<path d="M84 120Q200 92 300 132T430 168" stroke-width="10"/>'
        '<path d="M196 106Q216 70 252 58" stroke-width="6"/>'
        '<path d="M300 132Q320 170 316 206" stroke-width="5"/>'
        '<path d="M150 112Q150 150 168 176" stroke-width="5"/>'
        '<path d="M380 152Q372 184 388 214" stroke-width="4"/>'
        "</g>"
        '<path d="M100 114Q200 88 296 124" fill="none" stroke="#FFFFFF" stroke-width="3" '
        'stroke-linecap="round"/>'
        '<use href="#persimmon" transform="translate(168 198)"/>'
        '<use href="#persimmon" transform="translate(316 228)"/>'
        '<use href="#persimmon" transform="translate(388 236) scale(0.8)"/>'
        '<use href="#persimmon" transform="translate(246 84) scale(0.7)"/>'
    )


def _draw_daxue() -> str:
    flakes = "".join(
        f'<use href="#flake" transform="translate({x} {y}) scale({scale})"/>'
        for x, y, scale in (
            (126, 96, 1),
            (196, 66, 0.6),
            (320, 70, 0.8),
            (392, 120, 1),
            (96, 172, 0.6),
            (418, 194, 0.7),
            (256, 58, 0.5),
        )
    )
    return (
        f"<defs>{_snowflake('flake', '#FFFFFF', 14, 3)}</defs>"
        + flakes
        + '<rect x="150" y="212" width="212" height="70" fill="#A3262A"/>'
        '<rect x="232" y="232" width="48" height="50" rx="24" fill="#5E1214"/>'
        '<g fill="#E9D6A2"><rect x="166" y="228" width="40" height="10"/><rect x="306" y="228" '
        'width="40" height="10"/></g>'
        '<polygon points="122,214 390,214 356,180 156,180" fill="#D9A441" stroke="#8C6420" '
        'stroke-width="3"/>'
        '<polygon points="170,180 342,180 322,150 190,150" fill="#D9A441" stroke="#8C6420" '
        'stroke-width="3"/>'
        '<path d="M156 180L176 172L196 180L216 171L236 180L256 170L276 180L296 171L316 180L336 '
        "172L356 180"
        'L346 170H166Z" fill="#FFFFFF"/>'
        '<path d="M190 150L206 142L224 150L240 141L256 150L272 141L288 150L306 142L322 150L316 '
        '140H196Z" fill="#FFFFFF"/>'
        '<path d="M180 146H332" stroke="#8C6420" stroke-width="6" stroke-linecap="round"/>'
        '<path d="M122 214H390" stroke="#FFFFFF" stroke-width="4"/>'
    )


DESIGNS: dict[str, Design] = {
    "xiazhi": Design(
        "夏至",
        "Summer Solstice",
        "a high sun with twelve rays above summer clouds",
        ring="#C8102E",
        glow="#FFF8E1",
        ground="#F6D88E",
        ink="#7A1010",
        draw=_draw_xiazhi,
    ),
    "dashu": Design(
        "大暑",
        "Major Heat",
        "a lotus in bloom on its leaf under a blazing sun",
        ring="#1F6F66",
        glow="#FFF0EC",
        ground="#F4B8AE",
        ink="#7D1E2C",
        draw=_draw_dashu,
    ),
    "liqiu": Design(
        "立秋",
        "Start of Autumn",
        "a falling ginkgo leaf, the first sign of autumn",
        ring="#8A6A1F",
        glow="#FFF7DE",
        ground="#E3CF8C",
        ink="#5A4010",
        draw=_draw_liqiu,
    ),
    "bailu": Design(
        "白露",
        "White Dew",
        "dew drops on blades of grass under a crescent moon",
        ring="#5F7F99",
        glow="#FFFFFF",
        ground="#CFDFEA",
        ink="#2F4A5E",
        draw=_draw_bailu,
    ),
    "qiufen": Design(
        "秋分",
        "Autumn Equinox",
        "a disc of equal day and night with osmanthus and stars",
        ring="#C9A227",
        glow="#424A8C",
        ground="#1D2150",
        ink="#F3E3B0",
        draw=_draw_qiufen,
    ),
    "shuangjiang": Design(
        "霜降",
        "Frost's Descent",
        "red maple leaves touched by frost crystals",
        ring="#A23B2A",
        glow="#FDF6F2",
        ground="#E8CFC3",
        ink="#6B1A12",
        draw=_draw_shuangjiang,
    ),
    "lidong": Design(
        "立冬",
        "Start of Winter",
        "persimmons on a bare branch with the first frost",
        ring="#3B3B3B",
        glow="#FAF7F0",
        ground="#D8D1C3",
        ink="#2B2B2B",
        draw=_draw_lidong,
    ),
    "daxue": Design(
        "大雪",
        "Major Snow",
        "a snow-covered palace gate in falling snow",
        ring="#8B1E1E",
        glow="#336699",
        ground="#122B45",
        ink="#FFFFFF",
        draw=_draw_daxue,
    ),
}
"""Design of each edition, by edition id."""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_artwork(edition_id: str) -> str:
    """Return the SVG document of an edition's badge.

    Raises:
        KeyError: if no design exists for `edition_id`.
    """
    design = DESIGNS[edition_id]
    title = _escape(f"{design.zh} {design.en} {YEAR}")
    description = _escape(
        f"Badge of the solar term {design.zh} ({design.en}), {YEAR}: {design.motif}."
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512" '
        'role="img" aria-labelledby="title desc">\n'
        f'<title id="title">{title}</title>\n'
        f'<desc id="desc">{description}</desc>\n'
        "<defs>"
        f'<radialGradient id="glow" cx="50%" cy="36%" r="64%">'
        f'<stop offset="0" stop-color="{design.glow}"/><stop offset="1" '
        f'stop-color="{design.ground}"/>'
        "</radialGradient>"
        '<clipPath id="disc"><circle cx="256" cy="256" r="214"/></clipPath>'
        "</defs>\n"
        f'<circle cx="256" cy="256" r="248" fill="{design.ring}"/>\n'
        f'<circle cx="256" cy="256" r="214" fill="url(#glow)"/>\n'
        f'<circle cx="256" cy="256" r="231" fill="none" stroke="{design.glow}" stroke-width="4" '
        'stroke-dasharray="14 7"/>\n'
        f'<g clip-path="url(#disc)">{design.draw()}</g>\n'
        f'<g fill="{design.ink}" text-anchor="middle">'
        f'<text x="256" y="378" font-family="serif" font-size="96" '
        f'font-weight="700">{design.zh}</text>'
        f'<text x="256" y="414" font-family="sans-serif" font-size="20" letter-spacing="3">'
        f"{_escape(design.en.upper())}</text>"
        f'<text x="256" y="446" font-family="sans-serif" font-size="18" '
        f'letter-spacing="4">{YEAR}</text>'
        "</g>\n"
        "</svg>\n"
    )
