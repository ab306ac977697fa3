"""Figure 2, run in a child process (``python -m bench.importer N FOLDER``) so that its peak RSS is the
import's own: a fresh station in FOLDER, then ``import_residents`` of the N-resident roster CSV.
Prints one JSON line."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from app.services.imports import import_residents
from bench.town import new_station, roster_path


def main() -> None:
    residents, folder = int(sys.argv[1]), Path(sys.argv[2])
    ctx, actor = new_station(folder)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    report = import_residents(ctx, actor=actor, path=roster_path(residents))
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the roster reader process (large files)
    ctx.db.dispose()
    print(json.dumps({"seconds": seconds, "rows": report.rows, "created": report.created,
                      "rejected": report.rejected, "peak_rss_mib": peak / 1024, "reader_peak_rss_mib": reader / 1024,
                      "rss_before_mib": before / 1024}))


if __name__ == "__main__":
    main()
