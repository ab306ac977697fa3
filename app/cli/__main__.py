"""``python -m app.cli``."""

import multiprocessing

from app.cli.main import main

if __name__ == "__main__":  # a large roster import starts a reader process, which imports this module again
    multiprocessing.freeze_support()
    raise SystemExit(main())
