"""newsloom's core: what every stage shares and nothing else.

The article schema, the settings object, the Redis client, queue and task names, the
quarantine, shared metric definitions and the exception family. The stages import it and
never the other way round: ``crawler`` -> ``workers`` -> ``search``, ``ops`` beside them, and
the command line (``newsloom_cli``) alone on top.
"""
