"""Local services for development, tests and the demo, started from nothing."""
