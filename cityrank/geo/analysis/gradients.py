"""East-west and south-north gradients: "east-high/west-low" (东高西低) put in numbers.

The reports state the pattern in words; planners need the size and its uncertainty: points
per 10 degrees of longitude / latitude from an OLS of the value on the coordinate (alone and
jointly), with t-based 95% intervals, plus means by coordinate band for a chart. OLS is
closed form in NumPy (no statsmodels). The intervals assume independent errors; scores are
spatially autocorrelated, so they are optimistic -- the report says so next to them.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from cityrank.errors import DataError
from cityrank.geo.analysis._common import p_text
from cityrank.geo.map_style import use_cjk_font
from cityrank.i18n import t
from cityrank.jsonsafe import num

PER_DEGREES = 10.0
"""Slopes are reported per 10 degrees: China spans ~60 degrees east-west, ~35 north-south."""


def ols(y, X, names: list[str]) -> dict:
    """OLS with an intercept: coefficients, standard errors, t-based 95% CIs, p-values, R^2."""
    y = np.asarray(y, dtype=float)
    X = np.column_stack([np.ones(len(y))] + [np.asarray(c, dtype=float) for c in X])
    n, k = X.shape
    if n <= k:
        raise DataError(f"OLS needs more units ({n}) than coefficients ({k})")
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = n - k
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.pinv(X.T @ X)
    se = np.sqrt(np.diag(cov))
    tcrit = float(stats.t.ppf(0.975, dof))
    tvals = beta / se
    pvals = 2 * stats.t.sf(np.abs(tvals), dof)
    tss = float(((y - y.mean()) ** 2).sum())
    coefs = {}
    for i, name in enumerate(["intercept"] + names):
        coefs[name] = {
            "coef": num(beta[i]),
            "se": num(se[i]),
            "ci95": [num(beta[i] - tcrit * se[i]), num(beta[i] + tcrit * se[i])],
            "t": num(tvals[i]),
            "p": num(pvals[i]),
        }
    return {"n": int(n), "dof": int(dof), "r2": num(1 - float(resid @ resid) / tss) if tss else None,
            "coefficients": coefs}


HAC_MAX_N = 5000
"""Above this many units the HAC kernel (k ~ sqrt(n) neighbours) is skipped as too costly."""


def hac_ols(y, X, names: list[str], points: np.ndarray, k: int | None = None) -> dict | None:
    """OLS with spatial HAC standard errors (Kelejian-Prucha; spreg.OLS robust="hac").

    Scores of neighbouring cities move together, so the iid OLS interval is too narrow; the
    HAC interval allows for that correlation within an adaptive triangular kernel of ``k``
    nearest units (default ~sqrt(n)) on planar coordinates in metres.
    """
    import warnings

    import spreg
    from libpysal import weights as lw

    from cityrank.geo.analysis._common import quiet

    y = np.asarray(y, dtype=float).reshape(-1, 1)
    n = y.shape[0]
    if n > HAC_MAX_N or n < 10:
        return None
    k = k or max(6, int(round(np.sqrt(n))))
    kern = lw.Kernel(np.asarray(points, dtype=float), k=k, function="triangular", fixed=False, diagonal=True)
    Xm = np.column_stack([np.asarray(c, dtype=float) for c in X])
    with quiet(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        res = spreg.OLS(y, Xm, robust="hac", gwk=kern, sig2n_k=True)
    beta = np.ravel(res.betas)
    se = np.ravel(res.std_err)
    z = 1.959963984540054
    out = {"kernel": f"adaptive triangular, k={k}", "coefficients": {}}
    for i, name in enumerate(["intercept"] + names):
        p = float(2 * stats.norm.sf(abs(beta[i] / se[i]))) if se[i] > 0 else None
        out["coefficients"][name] = {"coef": num(beta[i]), "se": num(se[i]),
                                     "ci95": [num(beta[i] - z * se[i]), num(beta[i] + z * se[i])], "p": num(p)}
    return out


def _planar_points(data: pd.DataFrame, lon: str, lat: str, geographic: bool,
                   crs=None, crs_name: str | None = None) -> tuple[np.ndarray, str]:
    """Points in metres for the HAC kernel and the CRS's description: ``crs`` (the spatial
    weights' projection) when given, else the same equal-area choice the weights make
    (:func:`geo.analysis.weights.equal_area_crs`: China's Albers inside China, a local Lambert
    azimuthal equal-area elsewhere); planar input is used as it is."""
    xy = data[[lon, lat]].to_numpy(dtype=float)
    if not geographic:
        return xy, "planar x/y (no CRS)"
    from pyproj import CRS, Transformer

    from cityrank.geo.analysis.weights import equal_area_crs

    if crs is None:
        crs, name = equal_area_crs((xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max()))
    else:
        name = crs_name or CRS.from_user_input(crs).name
    tr = Transformer.from_crs(4326, crs, always_xy=True)
    x, y = tr.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y]), name


def band_means(values, coords, width: float) -> list[dict]:
    """Mean, count and 95% t-interval of the values in consecutive coordinate bands."""
    values = np.asarray(values, dtype=float)
    coords = np.asarray(coords, dtype=float)
    lo = np.floor(coords.min() / width) * width
    out = []
    edge = lo
    while edge <= coords.max():
        mask = (coords >= edge) & (coords < edge + width)
        vals = values[mask]
        row = {"lower": num(edge), "upper": num(edge + width), "n": int(vals.size),
               "mean": num(vals.mean()) if vals.size else None, "ci95": [None, None]}
        if vals.size > 1:
            half = float(stats.t.ppf(0.975, vals.size - 1) * vals.std(ddof=1) / np.sqrt(vals.size))
            row["ci95"] = [num(vals.mean() - half), num(vals.mean() + half)]
        out.append(row)
        edge += width
    return out


def _direction_statement(label: str, slope: dict, unit: str, plus: str, minus: str,
                         hac: dict | None = None) -> str:
    c, (lo, hi), p = slope["coef"], slope["ci95"], slope["p"]
    per = f"per {PER_DEGREES:g}° {label}"
    sign = plus if c > 0 else minus
    sig = "significant at 5%" if p is not None and p < 0.05 else "not significant at 5%"
    text = f"{sign}: {c:+.2f}{unit} {per} (95% CI {lo:+.2f} to {hi:+.2f}, p {p_text(p)}, two-sided t-test, {sig}"
    if hac:
        hlo, hhi = hac["ci95"]
        hsig = "significant" if hac["p"] is not None and hac["p"] < 0.05 else "not significant"
        text += f"; spatial-HAC 95% CI {hlo:+.2f} to {hhi:+.2f}, {hsig}"
    return text + ")."


def gradients(
    df: pd.DataFrame,
    value: str,
    *,
    lon: str = "lon",
    lat: str = "lat",
    band_width: float = 5.0,
    unit: str = " points",
    geographic: bool = True,
    hac: bool = True,
    crs=None,
    crs_name: str | None = None,
) -> dict:
    """East-west and south-north gradients of ``value``: separate and joint OLS, band means.

    With ``hac`` each slope also gets a spatial-HAC interval (see :func:`hac_ols`);
    ``geographic`` says whether lon/lat are degrees (projected to metres for the kernel, on
    ``crs`` -- pass the spatial weights' ``projection`` and ``crs`` as ``crs_name`` -- or
    the same equal-area choice).
    """
    for col in (value, lon, lat):
        if col not in df.columns:
            raise DataError(f"gradients: column {col!r} not in the table")
    data = df[[value, lon, lat]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(data) < 4:
        raise DataError(f"gradients: fewer than 4 units with {value!r}, {lon!r}, {lat!r}")
    y = data[value].to_numpy()
    x_ew = data[lon].to_numpy() / PER_DEGREES
    x_sn = data[lat].to_numpy() / PER_DEGREES
    ew = ols(y, [x_ew], ["lon"])
    sn = ols(y, [x_sn], ["lat"])
    joint = ols(y, [x_ew, x_sn], ["lon", "lat"])
    ew_s = ew["coefficients"]["lon"]
    sn_s = sn["coefficients"]["lat"]
    ew_h = sn_h = None
    if hac:
        pts, crs_name = _planar_points(data, lon, lat, geographic, crs, crs_name)
        h_ew = hac_ols(y, [x_ew], ["lon"], pts)
        h_sn = hac_ols(y, [x_sn], ["lat"], pts)
        if h_ew and h_sn:
            h_ew["crs"] = h_sn["crs"] = crs_name
            ew["hac"], sn["hac"] = h_ew, h_sn
            ew_h, sn_h = h_ew["coefficients"]["lon"], h_sn["coefficients"]["lat"]
    return {
        "value": value,
        "n": int(len(data)),
        "slope_unit": f"{value} per {PER_DEGREES:g} degrees",
        "east_west": {
            "model": "value ~ longitude",
            **ew,
            "slope": ew_s,
            "bands": band_means(y, data[lon], band_width),
            "statement": _direction_statement("further east", ew_s, unit,
                                              "East-high/west-low", "West-high/east-low", ew_h),
        },
        "south_north": {
            "model": "value ~ latitude",
            **sn,
            "slope": sn_s,
            "bands": band_means(y, data[lat], band_width),
            "statement": _direction_statement("further north", sn_s, unit,
                                              "North-high/south-low", "South-high/north-low", sn_h),
        },
        "joint": {"model": "value ~ longitude + latitude", **joint},
        "p_value": {"ols": "t-test, two-sided", "hac": "normal approximation, two-sided"},
        "band_width_degrees": band_width,
        "caveat": "OLS intervals assume independent errors; with spatially autocorrelated "
        "scores they are too narrow (see the Moran's I of the value). The spatial-HAC intervals "
        "(Kelejian-Prucha, spreg) allow for correlation among neighbouring units"
        + ("." if ew_h else "; not computed here (too many units or HAC disabled)."),
    }


def gradient_chart(df: pd.DataFrame, value: str, out_path: str | Path | None = None, *,
                   lon: str = "lon", lat: str = "lat", title: str | None = None,
                   synthetic: bool = False, band_width: float = 5.0, lang: str = "zh") -> bytes:
    """Two panels (value vs longitude, vs latitude) with fitted line and band means; PNG bytes.

    Axis labels, legend, panel titles and the default title in ``lang`` (zh default, en).
    Written to ``out_path`` too when given (atomically). Marked "synthetic data" when asked.
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    res = gradients(df, value, lon=lon, lat=lat, band_width=band_width, hac=False)
    data = df[[value, lon, lat]].apply(pd.to_numeric, errors="coerce").dropna()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), dpi=110)
    for ax, col, key, coef, label in ((axes[0], lon, "east_west", "lon", t("analysis.chart_lon", lang)),
                                      (axes[1], lat, "south_north", "lat", t("analysis.chart_lat", lang))):
        ax.scatter(data[col], data[value], s=10, alpha=0.45, color="#4c72b0",
                   label=t("analysis.chart_units", lang))
        c = res[key]["coefficients"]
        xs = np.linspace(data[col].min(), data[col].max(), 50)
        ax.plot(xs, c["intercept"]["coef"] + c[coef]["coef"] * xs / PER_DEGREES,
                color="#c44e52", lw=2, label=t("analysis.chart_fit", lang))
        bands = [b for b in res[key]["bands"] if b["mean"] is not None]
        ax.errorbar([(b["lower"] + b["upper"]) / 2 for b in bands], [b["mean"] for b in bands],
                    yerr=[[b["mean"] - (b["ci95"][0] if b["ci95"][0] is not None else b["mean"]) for b in bands],
                          [(b["ci95"][1] if b["ci95"][1] is not None else b["mean"]) - b["mean"] for b in bands]],
                    fmt="s", color="black", ms=5, capsize=3,
                    label=t("analysis.chart_band", lang, width=f"{band_width:g}"))
        s = res[key]["slope"]
        ax.set_title(t("analysis.chart_slope", lang, coef=f"{s['coef']:+.2f}", per=f"{PER_DEGREES:g}",
                       lo=f"{s['ci95'][0]:+.2f}", hi=f"{s['ci95'][1]:+.2f}"), fontsize=10)
        ax.set_xlabel(label)
        ax.set_ylabel(value)
        ax.legend(fontsize=7)
    fig.suptitle((title or t("analysis.chart_title", lang, value=value))
                 + (t("analysis.chart_synthetic", lang) if synthetic else ""), fontsize=11)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    png = buf.getvalue()
    if out_path is not None:
        from cityrank.atomic import write_bytes_atomic

        write_bytes_atomic(Path(out_path), png)
    return png
