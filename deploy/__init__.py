"""Running the app for real: the nginx launcher and the processes behind it (see deploy/README.md)."""
