"""村站通 StationDesk: one-window village service station software."""

__version__ = "0.1.0"
