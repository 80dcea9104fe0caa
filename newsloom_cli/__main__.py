"""``python -m newsloom_cli`` runs the command line."""

from newsloom_cli.main import main

main()
