"""SQLAlchemy tables, repositories, unit of work and the SQLite engine."""
