"""``pmtui serve``: an SSH server that gives every login its own pmtui session on a terminal."""
