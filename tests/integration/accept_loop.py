"""Helper process for the crash-safety tests: accept cases as fast as possible, printing each number.

``python accept_loop.py DATA_DIR STAFF_ID RESIDENT_ID [COUNT]`` — without COUNT it runs until killed; with
COUNT it waits for a line on stdin before it starts, then accepts COUNT cases and exits.
The clock is fixed, so every number falls on the same day whatever the time the test runs.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from app.services.cases import accept_case
from app.services.context import open_context
from app.services.staff import get_actor

FIXED_NOW = datetime(2026, 11, 23, 10, 0)


def main(argv: list[str]) -> int:
    data_dir, staff_id, resident_id = Path(argv[0]), argv[1], argv[2]
    count = int(argv[3]) if len(argv) > 3 else None
    ctx = open_context(data_dir, now=lambda: FIXED_NOW)
    actor = get_actor(ctx, staff_id=staff_id)
    print("ready", flush=True)
    if count is not None:  # a counted run waits for "go" on stdin, so that several processes start together
        sys.stdin.readline()
    done = 0
    while count is None or done < count:
        result = accept_case(ctx, actor=actor, applicant_id=resident_id, item_code="S08",
                             received_materials=["M01", "M02"])
        print(result.case.case_no, flush=True)
        done += 1
    ctx.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
