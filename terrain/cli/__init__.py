"""The ``terrain`` command line: one click command a module, shared options in :mod:`.options`."""
