"""Paper: frozen data in, PDF bytes out (reportlab only)."""
