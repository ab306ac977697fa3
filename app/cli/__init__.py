"""The admin command line: every command goes through the services."""
