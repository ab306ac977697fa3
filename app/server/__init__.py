"""The town server (FastAPI): thin routes over the same services."""
