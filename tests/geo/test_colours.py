"""One colour scheme for print and web, checked for colour-vision deficiency: under simulated
deuteranopia and protanopia (Machado et al. 2009 at full severity, colorspacious) neighbouring
classes stay distinguishable (CAM02-UCS ΔE well above the ~2 of a just-noticeable difference),
and the web's neutral greys are the print map's."""

from __future__ import annotations

import numpy as np
import pytest

from cityrank.geo.map_style import NEUTRAL, class_colours
from cityrank.service.classes import PALETTES, STATUS_COLOURS, status_styles

colorspacious = pytest.importorskip("colorspacious")
MIN_DELTA_E = 6.0


def _rgb(hexes):
    return np.array([[int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)] for h in hexes])


@pytest.mark.parametrize("k", range(3, 8))
@pytest.mark.parametrize("cvd", ["deuteranomaly", "protanomaly"])
def test_classes_stay_apart_for_colour_blind_readers(k, cvd):
    rgb = _rgb(class_colours(k))
    space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
    sim = np.clip(colorspacious.cspace_convert(rgb, space, "sRGB1"), 0, 1)
    deltas = [colorspacious.deltaE(sim[i], sim[i + 1], input_space="sRGB1") for i in range(k - 1)]
    assert min(deltas) >= MIN_DELTA_E, (k, cvd, deltas)
    # and the ramp stays ordered in lightness, the cue that survives any deficiency
    lightness = colorspacious.cspace_convert(sim, "sRGB1", "CAM02-UCS")[:, 0]
    assert np.all(np.diff(lightness) < 0), lightness


def test_web_and_print_share_the_colours():
    assert PALETTES[5] == class_colours(5)
    assert STATUS_COLOURS["not_evaluated"] == NEUTRAL["not_evaluated"]["facecolor"]
    assert STATUS_COLOURS["hmt"] == NEUTRAL["sar"]["facecolor"]
    assert status_styles()["no_data"]["hatch"] is True
