"""A workspace's look on its public pages: name, logo and a brand colour safe to put into CSS."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_BRAND = "#2f6fed"
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class Brand:
    color: str  # "#rrggbb"
    ink: str  # text colour readable on `color`
    strong: str  # `color` darkened until it is readable as text on white (links, focus rings)


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def brand_for(color: str | None) -> Brand:
    """WCAG-minded colours from whatever the workspace stored (invalid values fall back)."""
    base = color.strip() if color and _HEX.match(color.strip()) else DEFAULT_BRAND
    rgb = _rgb(base)
    white, ink_dark = (255, 255, 255), (17, 24, 39)
    ink = "#ffffff" if contrast(rgb, white) >= contrast(rgb, ink_dark) else _hex(ink_dark)
    strong = rgb
    for _ in range(20):
        if contrast(strong, white) >= 4.5:
            break
        strong = (int(strong[0] * 0.85), int(strong[1] * 0.85), int(strong[2] * 0.85))
    return Brand(color=_hex(rgb), ink=ink, strong=_hex(strong))
