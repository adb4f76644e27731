"""Score many replicates of an index at once: the engine of the uncertainty analysis.

A :class:`Model` is compiled once from a system, the raw data and the declared choices. Every
uncertain choice is a column of a design matrix ``X`` in ``[0, 1)``: the weight multipliers
(one per node of the tree cut at the given indicators, ``1 ± perturbation``) and one column
per discrete choice (weighting method, normalisation, aggregation, imputation, indicator to
drop), decoded as ``floor(x * levels)``. Monte Carlo draws ``X`` uniformly; the Sobol design
of SALib is another ``X``; both go through :meth:`Model.totals`.

Replicates are scored as matrix operations, never one by one: rows are grouped by their
(imputation, normalisation, aggregation) triple; within a group the tree is evaluated node by
node on ``(replicates x units)`` arrays (arithmetic and geometric), and Copeland is one matrix
product of the flat weights with the precomputed pairwise sign tensor of the indicators.

Semantics match :func:`cityrank.scoring.engine.score` at the nominal choices (tests check it):
a node's rate is the weighted mean of its children's rates (geometric: of ``e + (1 - e) r``),
minus its deductions over its declared maximum; the total is ``total_max`` times the root's
rate minus the first-level deductions (a deduction never takes a score below zero:
``aggregate.deduct``). Copeland's total is ``total_max`` times the share of
pairwise contests won over all given indicators, minus every deduction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from cityrank.errors import ConfigError, DataError

from .aggregate import COPELAND_TIE, deduct
from .missing import POLICIES
from .normalise import given_rates
from .weighting import compute_weights, shares_from_flat, tree_groups

MC_COPELAND_MAX_UNITS = 1000  # the pairwise votes of one replicate are units^2 / 2 floats


@dataclass
class Factor:
    """One uncertain choice: its name, its design columns and its levels."""

    name: str
    columns: slice
    levels: list  # level values (names, or indicator ids for ``drop``; None = keep all)

    @property
    def discrete(self) -> bool:
        return self.name != "weights"


@dataclass
class Choices:
    """Decoded replicates: one entry (or row) per replicate."""

    weighting: np.ndarray
    multipliers: np.ndarray  # (R, M)
    normalisation: np.ndarray
    aggregation: np.ndarray
    imputation: np.ndarray
    drop: np.ndarray  # 0 = keep all, k = drop given indicator k - 1


class Model:
    """The compiled index: tree, variants of the data, base weights, declared factors.

    ``raw`` is indexed by code with one column per given node (gaps allowed when
    ``imputations`` are declared); ``provinces`` maps code -> province for ``province_mean``.
    """

    def __init__(self, system, raw: pd.DataFrame, *, weightings, normalisations, aggregations,
                 imputations, drop: bool, perturbation: float, geometric_offset: float,
                 provinces: pd.Series | None = None, outliers: str = "none", seed: int = 0):
        from .engine import given_nodes

        self.system = system
        self.codes = [str(c) for c in raw.index]
        given = given_nodes(system, raw.columns)
        self.ids = [g for g in given if not system.nodes[g].deduction]
        self.deductions = [g for g in given if system.nodes[g].deduction]
        if not self.ids:
            raise DataError("no scored indicator in the data")
        self.n = len(raw)
        self.k = len(self.ids)
        self.perturbation = float(perturbation)
        self.offset = float(geometric_offset)
        self.weightings = list(weightings)
        self.normalisations = list(normalisations)
        self.aggregations = list(aggregations)
        self.imputations = list(imputations)
        if "copeland" in self.aggregations and self.n > MC_COPELAND_MAX_UNITS:
            raise ConfigError(f"copeland in the uncertainty analysis compares every pair of "
                              f"units; {self.n} units is more than {MC_COPELAND_MAX_UNITS} "
                              "(leave copeland out of the aggregations)")
        self._tree()
        self._variants(raw, provinces, outliers)
        self._base_shares(seed)
        self._factors(drop)

    # ------------------------------------------------------------------------ compilation

    def _tree(self) -> None:
        sysm = self.system
        groups = tree_groups(sysm, self.ids)
        self.nodes = [k for kids in groups.values() for k in kids]
        pos = {nid: i for i, nid in enumerate(self.nodes)}
        self.pos = pos
        self.parent = np.array([pos.get(sysm.nodes[n].parent, -1) for n in self.nodes])
        depth = {n: 0 for n in self.nodes}
        for n in self.nodes:
            p, d = sysm.nodes[n].parent, 0
            while p is not None:
                d, p = d + 1, sysm.nodes[p].parent
            depth[n] = d
        # sibling groups, deepest first, as (parent position or -1, child positions)
        self.groups = sorted(((pos.get(p, -1) if p is not None else -1,
                               np.array([pos[k] for k in kids])) for p, kids in groups.items()),
                             key=lambda g: -depth[self.nodes[g[1][0]]])
        self.given_pos = np.array([pos[g] for g in self.ids])
        self.paths = []
        for g in self.ids:
            path, n = [], g
            while n is not None:
                path.append(pos[n])
                n = sysm.nodes[n].parent
            self.paths.append(path)
        # internal nodes in post-order (children before parents), root last as None
        self.internal = [n for n in sysm.postorder() if n in pos and n not in self.ids]
        self.children = {p: [pos[k] for k in kids] for p, kids in groups.items()}

    def _variants(self, raw: pd.DataFrame, provinces, outliers: str) -> None:
        from .outliers import treat_given

        gaps = bool(raw[self.ids + self.deductions].isna().to_numpy().any())
        if gaps and not self.imputations:
            raise DataError("the data have gaps: declare the imputation methods to compare")
        if not gaps:
            self.imputations = [None]
        provinces = provinces if provinces is not None else pd.Series(dtype=str)
        self.rates: dict[tuple[int, int], np.ndarray] = {}
        self.ded: list[dict[str | None, np.ndarray]] = []
        self._signs: dict[bytes, np.ndarray] = {}
        self._sign_key: dict[tuple[int, int], bytes] = {}
        for i, policy in enumerate(self.imputations):
            if policy is None:
                filled = raw
            else:
                if policy not in POLICIES or policy == "refuse":
                    raise ConfigError(f"unknown imputation {policy!r} (known: "
                                      f"{', '.join(p for p in POLICIES if p != 'refuse')})")
                filled = POLICIES[policy](raw, provinces)
            if outliers != "none":
                filled, _report = treat_given(self.system, filled, outliers)
            ded: dict[str | None, np.ndarray] = {}
            for d in self.deductions:
                parent = self.system.nodes[d].parent
                vals = np.nan_to_num(filled[d].to_numpy(dtype=float))
                ded[parent] = ded.get(parent, 0.0) + vals
            self.ded.append(ded)
            for j, method in enumerate(self.normalisations):
                r = given_rates(self.system, filled[self.ids],
                                None if method == "nominal" else method)
                x = r[self.ids].to_numpy(dtype=float)
                if np.isnan(x).any():
                    raise DataError("gaps remain after imputation")
                self.rates[(i, j)] = x

    def _base_shares(self, seed: int) -> None:
        rates = pd.DataFrame(self.rates[(0, 0)], columns=self.ids)
        self.base = np.zeros((len(self.weightings), len(self.nodes)))
        for w, method in enumerate(self.weightings):
            flat = compute_weights(self.system, rates, method, self.system.weights, seed)
            shares = shares_from_flat(self.system, self.ids, flat.to_dict())
            self.base[w] = [shares[n] for n in self.nodes]

    def _factors(self, drop: bool) -> None:
        self.factors: list[Factor] = []
        col = 0
        if self.perturbation > 0:
            self.factors.append(Factor("weights", slice(0, len(self.nodes)), []))
            col = len(self.nodes)
        drops = [None, *self.ids] if drop and self.k > 1 else [None]
        for name, levels in (("weighting", self.weightings),
                             ("normalisation", self.normalisations),
                             ("aggregation", self.aggregations),
                             ("imputation", self.imputations), ("drop", drops)):
            if len(levels) > 1:
                self.factors.append(Factor(name, slice(col, col + 1), list(levels)))
                col += 1
        self.dim = col

    # ---------------------------------------------------------------------------- decoding

    @property
    def problem(self) -> dict:
        """The SALib problem: one variable per design column, grouped by factor."""
        names, groups = [], []
        for f in self.factors:
            if f.discrete:
                names.append(f.name)
                groups.append(f.name)
            else:
                names += [f"w:{n}" for n in self.nodes]
                groups += ["weights"] * len(self.nodes)
        return {"num_vars": len(names), "names": names, "groups": groups,
                "bounds": [[0.0, 1.0]] * len(names)}

    def decode(self, x: np.ndarray) -> Choices:
        x = np.asarray(x, dtype=float).reshape(-1, self.dim) if self.dim else \
            np.zeros((len(x), 0))
        r = x.shape[0]
        out = {name: np.zeros(r, dtype=int) for name in
               ("weighting", "normalisation", "aggregation", "imputation", "drop")}
        mult = np.ones((r, len(self.nodes)))
        for f in self.factors:
            v = x[:, f.columns]
            if f.discrete:
                out[f.name] = np.minimum((v[:, 0] * len(f.levels)).astype(int),
                                         len(f.levels) - 1)
            else:
                mult = 1.0 - self.perturbation + 2.0 * self.perturbation * v
        return Choices(multipliers=mult, **out)

    def nominal(self, r: int = 1) -> Choices:
        """All choices at their nominal level (index 0 everywhere, multipliers 1)."""
        z = np.zeros(r, dtype=int)
        return Choices(z, np.ones((r, len(self.nodes))), z, z.copy(), z.copy(), z.copy())

    # --------------------------------------------------------------------------- scoring

    def shares(self, ch: Choices) -> np.ndarray:
        """Sibling shares per replicate (R x nodes), after perturbation and dropping."""
        s = self.base[ch.weighting] * ch.multipliers
        rows = np.flatnonzero(ch.drop > 0)
        if len(rows):
            s[rows, self.given_pos[ch.drop[rows] - 1]] = 0.0
        for parent, kids in self.groups:
            tot = s[:, kids].sum(axis=1)
            empty = tot <= 0
            if parent >= 0 and empty.any():
                s[empty, parent] = 0.0
            s[:, kids] = np.divide(s[:, kids], tot[:, None], out=np.zeros_like(s[:, kids]),
                                   where=~empty[:, None])
        return s

    def flat(self, shares: np.ndarray) -> np.ndarray:
        """Flat weights of the given indicators (R x K): products of shares on their paths."""
        return np.column_stack([shares[:, p].prod(axis=1) for p in self.paths])

    def totals(self, ch: Choices) -> np.ndarray:
        """Totals of every replicate (R x units)."""
        shares = self.shares(ch)
        out = np.empty((len(shares), self.n))
        combo = np.column_stack([ch.imputation, ch.normalisation, ch.aggregation])
        keys, inverse = np.unique(combo, axis=0, return_inverse=True)
        for g, (i, j, a) in enumerate(keys):
            rows = np.flatnonzero(inverse.ravel() == g)
            method = self.aggregations[a]
            if method == "copeland":
                out[rows] = self._copeland(i, j, self.flat(shares[rows]))
            else:
                out[rows] = self._tree_totals(i, j, shares[rows], method == "geometric")
        return out

    def _tree_totals(self, i: int, j: int, shares: np.ndarray, geometric: bool) -> np.ndarray:
        sysm = self.system
        rates = self.rates[(i, j)]
        ded = self.ded[i]
        e = self.offset
        if not geometric and set(ded) <= {None}:
            # arithmetic without inner deductions is linear: one product with flat weights
            total = sysm.total_max * (self.flat(shares) @ rates.T)
            return deduct(total, ded[None][None, :]) if None in ded else total
        val: dict[int, np.ndarray] = {p: rates[None, :, k] for k, p in enumerate(self.given_pos)}

        def combine(kids):
            if geometric:
                log = sum(shares[:, c, None] * np.log(e + (1 - e) * np.clip(val[c], 0, None))
                          for c in kids)
                return np.exp(log)
            return sum(shares[:, c, None] * val[c] for c in kids)

        for nid in self.internal:
            p = self.pos[nid]
            v = combine(self.children[nid])
            if nid in ded:
                v = deduct(v, ded[nid][None, :] / sysm.nodes[nid].max_points)
            val[p] = v
        total = sysm.total_max * combine(self.children[None])
        if None in ded:
            total = deduct(total, ded[None][None, :])
        return np.broadcast_to(total, (len(shares), self.n))

    def _pair_signs(self, i: int, j: int) -> np.ndarray:
        """``sign(r_a - r_b)`` of every indicator for every pair ``a < b`` (pairs x K),
        shared by the variants whose rates order the units alike."""
        key = self._sign_key.get((i, j))
        if key is None:
            x = self.rates[(i, j)]
            dense = np.column_stack([rankdata(c, method="dense") for c in x.T])
            key = dense.astype(np.int32).tobytes()
            self._sign_key[(i, j)] = key
            if key not in self._signs:
                a, b = self._pairs()
                # pairs x K, float32: the votes are sums of +-weights, ties within 1e-6
                self._signs[key] = np.ascontiguousarray(np.sign(x[a] - x[b]), dtype=np.float32)
        return self._signs[key]

    def _pairs(self):
        if not hasattr(self, "_pair_index"):
            from scipy.sparse import csr_matrix

            a, b = np.triu_indices(self.n, 1)
            p = len(a)
            # incidence (units x pairs): +1 for the first unit of a pair, -1 for the second
            pairs = np.arange(p)
            self._incidence = csr_matrix(
                (np.r_[np.ones(p), -np.ones(p)].astype(np.float32),
                 (np.r_[a, b], np.r_[pairs, pairs])),
                shape=(self.n, p))
            self._pair_index = (a, b)
        return self._pair_index

    def _copeland(self, i: int, j: int, w: np.ndarray, chunk: int = 64) -> np.ndarray:
        """Copeland totals: for each pair the weighted vote ``w . sign`` decides the winner;
        a unit's net wins are summed through the pair incidence matrix, and its share of
        contests won is ``(net + n - 1) / 2 / (n - 1)`` (ties count one half)."""
        signs = self._pair_signs(i, j)
        n = self.n
        out = np.empty((len(w), n))
        ded_all = sum(self.ded[i].values(), np.zeros(n))
        if n == 1:
            out[:] = deduct(self.system.total_max, ded_all)
            return out
        for a in range(0, len(w), chunk):
            m = signs @ w[a:a + chunk].T.astype(np.float32)  # pairs x replicates
            d = np.sign(m)
            d[np.abs(m) <= COPELAND_TIE] = 0.0
            net = (self._incidence @ d).T.astype(np.float64)  # integers, exact
            out[a:a + chunk] = deduct(self.system.total_max * (net + n - 1) / (2 * (n - 1)), ded_all)
        return out


def ranks_of(totals: np.ndarray, precision: int = 6) -> np.ndarray:
    """Ranks per replicate (rows), 1 = best, equal totals (to ``precision``) sharing the
    better rank, as :func:`cityrank.scoring.aggregate.rank_desc` does for one table."""
    return rankdata(-np.round(totals, precision), method="min", axis=1).astype(np.int32)
