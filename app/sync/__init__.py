"""Town sync: wire protocol, change capture, client and merge rules."""
