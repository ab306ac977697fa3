"""Building the Windows delivery: the PyInstaller bundle, the NSIS installer, and the checks run on them."""
