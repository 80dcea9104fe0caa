"""Tests of the operations tooling: the fixture news site."""
