"""``python -m pmtui.cli``: the same as the ``pmtui`` command (the SSH server starts sessions so)."""

import sys

from pmtui.cli import main

sys.exit(main())
