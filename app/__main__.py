"""``python -m app``: the desktop counter (``--demo`` opens the demo station)."""

from __future__ import annotations


def main() -> int:
    from app.ui.main import run

    return run()


if __name__ == "__main__":
    raise SystemExit(main())
