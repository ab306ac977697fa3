"""Use cases: keyword-only functions taking a unit of work and returning frozen results."""
