"""``python -m newsloom`` runs the command line."""

from newsloom.cli import app

app()
