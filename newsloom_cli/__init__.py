"""The ``newsloom`` command line: the one layer that assembles every stage.

Nothing imports this package; it imports the stages (``crawler``, ``workers``, ``search``,
``ops``) and the core (``newsloom``) beneath them.
"""
