"""Spiders; one generic spider serves every source in the registry."""
