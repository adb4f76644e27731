"""Fonts, colours and wording of the print maps.

Chinese text needs a CJK font. Matplotlib silently substitutes DejaVu Sans when a family is
missing and then draws every Chinese character as an empty box ("tofu") -- a map that
looks finished and is unreadable. We therefore look the font up explicitly
(``fonts-noto-cjk``, installed by ``scripts/setup.sh``), fail with a clear ConfigError if it
is absent, and check every character we are about to draw against the font's character map.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cityrank.errors import ConfigError

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN")
# Where the font files are when fontconfig cannot say (Debian/Ubuntu fonts-noto-cjk first);
# the bold files too, for titles.
CJK_FONT_FILES = tuple(
    f"{folder}/{name}-{weight}.{ext}"
    for folder, name, ext in (
        ("/usr/share/fonts/opentype/noto", "NotoSansCJK", "ttc"),
        ("/usr/share/fonts/truetype/noto", "NotoSansCJK", "ttc"),
        ("/usr/share/fonts/noto-cjk", "NotoSansCJK", "ttc"),
        ("/usr/share/fonts/google-noto-cjk", "NotoSansCJK", "ttc"),
        ("/usr/share/fonts/opentype/noto", "NotoSansCJKsc", "otf"),
        ("/usr/share/fonts/adobe-source-han-sans", "SourceHanSansCN", "otf"),
    )
    for weight in ("Regular", "Bold")
)
INSTALL_HINT = ("install the Noto CJK fonts: on Debian/Ubuntu the package fonts-noto-cjk "
                "(apt-get install fonts-noto-cjk), which scripts/setup.sh installs")


@dataclass(frozen=True)
class CjkFont:
    family: str
    path: Path
    face_index: int  # index inside a .ttc collection (0 for .otf/.ttf)


@lru_cache(maxsize=8)
def find_cjk_font(families=CJK_FAMILIES) -> CjkFont:
    """The first CJK font of ``families`` that is installed, registered with matplotlib.

    Matplotlib knows the fonts of its cache (``fontlist-*.json``), written the first time it
    ran; a font installed after that is missing from it for good. So when the cache lacks the
    font we look for the file itself (fontconfig's ``fc-list`` by family name, then the
    usual paths) and register it with ``fontManager.addfont``: a stale cache never matters.
    ConfigError, with the package to install, when no file exists.
    """
    from matplotlib import font_manager

    font = _registered(families)
    if font is not None:
        return font
    for path in _font_files(families):
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):  # unreadable or not a font
            continue
    font = _registered(families)
    if font is not None:
        return font
    raise ConfigError(f"no CJK font found (looked for {', '.join(families)}); {INSTALL_HINT}")


def _registered(families) -> CjkFont | None:
    """The first of ``families`` in matplotlib's font list at regular weight, if its file exists."""
    from matplotlib import font_manager

    entries = {f.name: f for f in font_manager.fontManager.ttflist
               if f.weight in (400, "normal") and f.style == "normal"}
    for fam in families:
        entry = entries.get(fam)
        if entry is None or not Path(entry.fname).is_file():
            continue
        path = Path(entry.fname)
        index = getattr(entry, "index", None)
        return CjkFont(fam, path, index if isinstance(index, int) else _face_index(path, fam))
    return None


def _font_files(families) -> list[Path]:
    """Files that may hold ``families`` (every weight): what fontconfig lists for each family,
    then the known paths."""
    import shutil
    import subprocess

    found: list[Path] = []
    fc_list = shutil.which("fc-list")
    if fc_list:
        for fam in families:
            try:
                out = subprocess.run([fc_list, "--format", "%{file}\\n", fam],
                                     capture_output=True, text=True, timeout=30, check=False).stdout
            except (OSError, subprocess.SubprocessError):
                break
            found += [Path(line) for line in out.splitlines() if line.strip()]
    found += [Path(p) for p in CJK_FONT_FILES]
    unique: list[Path] = []
    for path in found:
        if path.is_file() and path not in unique:
            unique.append(path)
    return unique


def use_cjk_font() -> CjkFont:
    """Make the CJK font matplotlib's default sans-serif, for charts that set no font per text
    (the analysis maps and charts); ConfigError when it is missing, never tofu boxes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rcParams

    font = find_cjk_font()
    rcParams["font.sans-serif"] = [font.family, "DejaVu Sans"]
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False
    rcParams["text.parse_math"] = False  # titles and labels carry users' text: never mathtext
    rcParams["text.usetex"] = False
    return font


def _face_index(path: Path, family: str) -> int:
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    with open(path, "rb") as fh:  # read inside the with: fontTools reads tables lazily
        coll = TTCollection(fh, lazy=True)
        for i, font in enumerate(coll.fonts):
            if font["name"].getDebugName(1) == family:
                return i
    return 0


@lru_cache(maxsize=8)
def font_codepoints(path: str, face_index: int = 0) -> frozenset[int]:
    """Code points the font can draw (its best cmap)."""
    from fontTools.ttLib import TTCollection, TTFont

    with open(path, "rb") as fh:
        if Path(path).suffix.lower() in (".ttc", ".otc"):
            font = TTCollection(fh, lazy=True).fonts[face_index]
        else:
            font = TTFont(fh, lazy=True)
        return frozenset(font.getBestCmap())


def missing_glyphs(texts, font: CjkFont) -> list[str]:
    """Characters of ``texts`` the font cannot draw (whitespace and newlines excepted)."""
    cmap = font_codepoints(str(font.path), font.face_index)
    chars = {ch for t in texts if t for ch in str(t)}
    return sorted(ch for ch in chars if not ch.isspace() and ord(ch) not in cmap)


def check_glyphs(texts, font: CjkFont) -> None:
    missing = missing_glyphs(texts, font)
    if missing:
        raise ConfigError(
            f"font {font.family} ({font.path.name}) lacks glyph(s) {''.join(missing)!r}; "
            "refusing to draw boxes instead of text"
        )


# --- colours and styles ------------------------------------------------------------------
DEFAULT_CMAP = "YlGnBu"

# ColorBrewer's discrete schemes (Brewer, colorbrewer2.org) of the colour maps we name: a
# k-class map uses the k-class scheme, designed to keep k classes apart (YlGnBu is marked
# colour-blind safe; tests/geo/test_colours.py checks the classes stay distinguishable under
# simulated deuteranopia and protanopia). Matplotlib's continuous "YlGnBu" is the 9-class
# scheme interpolated; other colour maps are sampled from matplotlib.
BREWER: dict[str, dict[int, tuple[str, ...]]] = {
    "YlGnBu": {
        3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
        4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
        5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
        6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
        7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
        8: ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
        9: ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494",
            "#081d58"),
    },
}


def class_colours(k: int, cmap: str = DEFAULT_CMAP) -> list[str]:
    """The ``k`` class colours (hex, light = low) of ``cmap`` for every map: print and web.

    >>> class_colours(3)
    ['#edf8b1', '#7fcdbb', '#2c7fb8']
    """
    schemes = BREWER.get(cmap, {})
    if k in schemes:
        return list(schemes[k])
    if schemes and k < min(schemes):
        low = schemes[min(schemes)]
        return [low[round(i * (len(low) - 1) / max(k - 1, 1))] for i in range(k)]
    import matplotlib
    from matplotlib.colors import to_hex

    try:
        cm = matplotlib.colormaps[cmap]
    except KeyError:
        raise ConfigError(f"unknown colour map {cmap!r}") from None
    import numpy as np

    return [to_hex(cm(v)) for v in np.linspace(0.12, 0.92, k)]
SEA = "#eef4f8"
BACKGROUND = "white"
PREFECTURE_EDGE = "#ffffff"
PROVINCE_EDGE = "#6b6b6b"
NATIONAL_EDGE = "#333333"
LINE_COLOUR = "#333333"

# Neutral styles for units without a class colour; each gets its own legend entry.
NEUTRAL = {
    "not_evaluated": {"facecolor": "#d9d9d9", "hatch": None, "edgecolor": "#ffffff"},
    "no_data": {"facecolor": "#ffffff", "hatch": "////", "edgecolor": "#9a9a9a"},
    "sar": {"facecolor": "#bdbdbd", "hatch": "....", "edgecolor": "#7a7a7a"},
    "taiwan_no_data": {"facecolor": "#f2f2f2", "hatch": "xxx", "edgecolor": "#9a9a9a"},
}

# --- wording -----------------------------------------------------------------------------
# The words of the maps are the ``map`` domain of the catalogue (cityrank/i18n/map.yaml).
MAP_LANGS = ("zh", "en")


def text(lang: str, key: str, **fmt) -> str:
    """``map.<key>`` in ``lang``; ConfigError for a language maps are not drawn in."""
    if lang not in MAP_LANGS:
        raise ConfigError(f"unknown map language {lang!r}; known: {', '.join(MAP_LANGS)}")
    from cityrank.i18n import t

    return t(f"map.{key}", lang, **fmt)
