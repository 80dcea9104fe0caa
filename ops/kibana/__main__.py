"""``python -m ops.kibana import``: the same command as ``newsloom kibana import``."""

from ops.kibana.cli import kibana_app

kibana_app()
