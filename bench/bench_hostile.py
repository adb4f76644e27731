"""What hostile files and failing renders cost (issue 13), printed, never asserted.

1. The dimension bomb: a workbook of the 293 cities (≈41 KB, like the one that took the
   server past 6 GB) declaring ``<dimension ref="A1:XFD1048576"/>`` with a row numbered
   200000, uploaded through the real app: status, milliseconds, and the process's RSS before
   and after. The same without the declared dimension (the row number alone).
2. 40 failing PNG renders (an upload whose title the font cannot draw), each with new
   parameters: status codes and RSS before/after.
3. Each of the worst corpus files (tests/corpus/make_corpus.py) read by ``ingest``: outcome,
   milliseconds and the growth of peak RSS.

Each part runs in a fresh process so that memory figures are its own.

Usage: python bench/bench_hostile.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PART = textwrap.dedent('''
    import gc, importlib.util, io, json, resource, sys, time
    from pathlib import Path
    ROOT = Path(sys.argv[2])
    def rss():
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS")) / 1024
    spec = importlib.util.spec_from_file_location("c", ROOT / "tests/corpus/make_corpus.py")
    corpus = importlib.util.module_from_spec(spec); spec.loader.exec_module(corpus)
    part, out = sys.argv[1], {}
    if part in ("bomb", "png"):
        from cityrank.web.app import create_app
        client = create_app({"TESTING": True}).test_client()
        def post(data, name):
            return client.post("/api/v1/datasets", data={"file": (io.BytesIO(data), name),
                               "system": "ndrc-2017"}, content_type="multipart/form-data")
        demo = (ROOT / "cityrank/data/demo/ndrc-2017-simulated.csv").read_bytes()
    if part == "bomb":
        row = '<row r="200000"><c r="A200000" t="inlineStr"><is><t>x</t></is></c></row>'
        table = corpus.rows(None)
        files = {
            "declared A1:XFD1048576 + row 200000": corpus.xlsx(table, patch={corpus.SHEET1: lambda t:
                corpus._append_row(row)(corpus._dimension("A1:XFD1048576")(t))}),
            "row 200000, no dimension": corpus.xlsx(table, patch={corpus.SHEET1: lambda t:
                corpus._append_row(row)(corpus._sub(r"<dimension[^>]*/>", "")(t))}),
        }
        post(demo, "warm.csv")
        for data in files.values():
            post(data, "warm.xlsx")
        for label, data in files.items():
            gc.collect(); before = rss(); t0 = time.perf_counter()
            r = post(data, "bomb.xlsx")
            ms = (time.perf_counter() - t0) * 1000
            gc.collect()
            kinds = [p.get("msg") or p["kind"] for p in r.get_json()["problems"]]
            out[label] = {"bytes": len(data), "status": r.status_code, "kinds": kinds, "ms": ms,
                          "before": before, "after": rss()}
    elif part == "png":
        ds = post(demo, "地图😀.csv").get_json()["id"]
        qs = [f"k={k}&classification={c}&lang={l}" for k in (3, 4, 5, 6, 7)
              for c in ("quantiles", "natural_breaks", "equal_interval", "published") for l in ("zh", "en")]
        client.get(f"/embed/{ds}.png?{qs[0]}")
        gc.collect(); before = rss(); t0 = time.perf_counter()
        codes = [client.get(f"/embed/{ds}.png?{q}").status_code for q in qs]
        gc.collect()
        out = {"codes": sorted(set(codes)), "n": len(codes), "ms": (time.perf_counter() - t0) * 1000,
               "before": before, "after": rss()}
    else:
        from cityrank.scoring.system import load_system
        system = load_system("ndrc-2017")
        corpus.outcome(ROOT / "tests/corpus/files/ok_utf8.csv", system)
        for path in sys.argv[3:]:
            base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            t0 = time.perf_counter()
            kind = corpus.outcome(path, system)
            out[Path(path).name] = {"kind": kind, "ms": (time.perf_counter() - t0) * 1000,
                                    "peak_growth": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base}
    print(json.dumps(out))
''')

WORST = ("dimension_bomb.xlsx", "row_number_bomb.xlsx", "column_bomb.xlsx", "billion_laughs.xlsx",
         "xxe.xlsx", "zip_bomb.xlsx", "big_rows.csv", "big_columns.csv", "huge_cell.csv",
         "big_duplicates.csv")


def run(*args) -> dict:
    proc = subprocess.run([sys.executable, "-c", PART, *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT)
    if proc.returncode:
        sys.exit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    print("1. dimension bomb through the upload API (fresh process, warmed up)")
    for label, r in run("bomb", ROOT).items():
        print(f"   {label:38s} {r['bytes'] / 1024:5.1f} KB -> {r['status']} {','.join(r['kinds'])}"
              f"  {r['ms']:7.1f} ms  RSS {r['before']:.0f} -> {r['after']:.0f} MB")
    r = run("png", ROOT)
    print(f"2. {r['n']} failing PNG renders: status {r['codes']}, {r['ms'] / r['n']:.1f} ms each, "
          f"RSS {r['before']:.0f} -> {r['after']:.0f} MB")
    sys.path.insert(0, str(ROOT / "tests" / "corpus"))
    import make_corpus

    with tempfile.TemporaryDirectory() as tmp:
        make_corpus.write(make_corpus.small(), Path(tmp))
        make_corpus.write(make_corpus.big(), Path(tmp))
        print("3. worst corpus files through ingest (one process, in this order)")
        res = run("ingest", ROOT, *(Path(tmp) / n for n in WORST))
        for name, r in res.items():
            size = (Path(tmp) / name).stat().st_size / 1024
            print(f"   {name:24s} {size:9.1f} KB  {r['kind']:24s} {r['ms']:8.1f} ms  "
                  f"peak RSS +{r['peak_growth']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
