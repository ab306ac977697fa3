"""The desktop counter (PySide6 only)."""
