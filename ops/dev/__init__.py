"""Dev tooling: the fixture news site and local services. Runs from a checkout only."""
