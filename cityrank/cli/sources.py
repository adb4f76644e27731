"""Where ``map`` and ``analyze`` get their table: ``--dataset ID`` (a bundled dataset, or one
kept in the store by ``cityrank datasets add`` or an upload),
``--data FILE`` (a scores table, or raw data scored with ``--system``), or by default the
catalogue's default dataset; and which column ``--indicator`` names."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from cityrank.errors import ConfigError, DataError, NotFoundError
from cityrank.i18n import t

TRUE_WORDS = {"1", "true", "yes", "y", "是"}


@dataclass
class Source:
    scores: object  # pandas DataFrame
    system: object | None  # IndicatorSystem when the table was scored by one
    title: str
    title_en: str
    source: str  # the map's source line, in the command's language
    synthetic: bool
    label: str  # how messages name the input ("dataset X" or the file)
    warnings: list = field(default_factory=list)
    dataset: object | None = None


def load_source(args) -> Source:
    lang = args.lang
    if args.data:
        path = Path(args.data)
        if args.system:
            from cityrank.cli.options import read_options
            from cityrank.scoring.pipeline import score_file

            run = score_file(args.system, path, missing=args.missing or "refuse",
                             **read_options(args))
            return Source(run.scores, run.system, run.system.name, run.system.name_en or run.system.name,
                          path.name, run.synthetic, str(path), list(run.warnings))
        if args.missing:
            raise ConfigError(t("cli.missing_needs_system", lang))
        frame, synthetic = read_scores_table(path, encoding=args.encoding, sheet=args.sheet, lang=lang)
        return Source(frame, None, path.stem, path.stem, path.name, synthetic, str(path))
    if args.system:
        raise ConfigError(t("cli.system_needs_data", lang))
    ds = find_dataset(args.dataset, getattr(args, "data_dir", None))
    return Source(ds.scores(), ds.system, ds.title, ds.title_en or ds.title, ds.source_in(lang),
                  bool(ds.synthetic), t("cli.dataset_label", lang, id=ds.id), list(ds.warnings), ds)


def find_dataset(dataset_id: str | None, data_dir=None):
    """A bundled dataset (the catalog, no database opened), else one kept in the store of
    ``data_dir`` (default: ``CITYRANK_DATA_DIR`` or the per-user data directory), as
    ``cityrank datasets add`` and ``cityrank serve`` keep them: what one command adds, every
    other finds."""
    from cityrank.scoring.datasets import load_catalog

    catalog = load_catalog()
    if dataset_id is None or dataset_id in catalog.datasets:
        return catalog.get(dataset_id)
    from cityrank.cli.datasets import site_for

    return site_for(SimpleNamespace(data_dir=data_dir)).dataset(dataset_id)


def read_scores_table(path, *, encoding=None, sheet=None, lang: str = "zh"):
    """(frame, synthetic) of a scores table: numeric columns as numbers (empty cells NaN), key
    columns as text; simulated when its sidecar/file name or a ``synthetic`` column says so."""
    import pandas as pd

    from cityrank.scoring.columns import role
    from cityrank.scoring.ingest import is_synthetic_file
    from cityrank.scoring.readers import read_table

    frame = read_table(path, encoding=encoding, sheet=sheet).frame
    if len(frame) == 0:
        raise DataError(t("cli.no_rows", lang, file=path))
    for col in frame.columns:
        if role(str(col)) == "code":  # codes stay text (leading zeros, 9-digit forms)
            continue
        filled = frame[col] != ""
        conv = pd.to_numeric(frame[col].where(filled, None), errors="coerce")
        if conv.notna().sum() and conv.notna().sum() == filled.sum():
            frame[col] = conv
    flag = frame.get("synthetic")
    synthetic = is_synthetic_file(path) or (
        flag is not None and flag.astype(str).str.strip().str.lower().isin(TRUE_WORDS).any())
    frame.attrs["synthetic"] = bool(synthetic)
    return frame, bool(synthetic)


def require_numbers(frame, columns, label: str, lang: str) -> None:
    """Each of ``columns`` exists and holds numbers (empty cells allowed), or a DataError
    naming the file, row and column of the first offending cell."""
    import pandas as pd

    for col in columns:
        if col not in frame.columns:
            raise NotFoundError(t("cli.no_column", lang, source=label, column=col,
                                  columns=", ".join(map(str, frame.columns))))
        if pd.api.types.is_numeric_dtype(frame[col]):
            continue
        text = frame[col].astype("string").str.strip().fillna("")
        conv = pd.to_numeric(text.where(text != "", None), errors="coerce")
        bad = conv.isna() & (text != "")
        if bad.any():
            pos = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(t("cli.not_a_number", lang, file=label, row=pos + 2, column=col,
                              value=text.iloc[pos]))
        frame[col] = conv


@dataclass
class Indicator:
    column: str
    name: str  # in the command's language
    max_points: float | None


def resolve_indicator(src: Source, key: str, lang: str) -> Indicator:
    """``--indicator``: ``total``, a node id or a node name of the source's system, or (for a
    plain scores table) a column."""
    system = src.system
    if system is None:
        if key not in src.scores.columns:
            raise NotFoundError(t("cli.no_column", lang, source=src.label, column=key,
                                  columns=", ".join(map(str, src.scores.columns))))
        return Indicator(key, t("common.total", lang) if key == "total" else key, None)
    if key == "total":
        return Indicator("total", t("common.total", lang), getattr(system, "total_max", None))
    node = system.nodes.get(key)
    if node is None:
        matches = [n for n in system.nodes.values() if key in (n.name, n.name_en)]
        node = matches[0] if len(matches) == 1 else None
    if node is None:
        raise NotFoundError(t("cli.unknown_indicator", lang, key=key, system=system.id,
                              first=", ".join(system.first_level)))
    if node.id not in src.scores.columns:
        raise NotFoundError(t("cli.indicator_not_scored", lang, id=node.id, source=src.label))
    name = node.name if lang == "zh" else (node.name_en or node.name)
    return Indicator(node.id, name or node.id, node.max_points or None)
