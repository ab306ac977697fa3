"""``python -m app``: the desktop counter (``--demo`` opens the demo station)."""

from __future__ import annotations


def main() -> int:
    from app.ui.main import run

    return run()


if __name__ == "__main__":  # a large roster import starts a reader process, which imports this module again
    import multiprocessing

    multiprocessing.freeze_support()  # the Windows build is a frozen executable
    raise SystemExit(main())
