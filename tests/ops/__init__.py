"""Tests of the operations tooling: local services and the fixture news site."""
