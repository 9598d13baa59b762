"""One module per view; each defines a ``PmScreen`` subclass named in ``pmtui.tui.app.MODES``."""
