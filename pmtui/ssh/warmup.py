"""The zygote draws one first screen before it forks, so that what every session would work out
the same way is worked out once and shared (copy-on-write) by all of them.

What a session's first screen spends besides its own data: parsing the app's stylesheets for
the theme (kept process-wide by ``pmtui.tui.css_memo``), the modules Textual imports on first use
(the footer, the compositor's helpers), the lru-caches of Textual and Rich (selectors, styles,
character widths). The zygote gets them by running the board, headless, on a throwaway store of
its own, before it forks anything. Nothing of it outlives this function that a fork must not
copy: the store is closed and deleted, the event loop closed, every thread it started joined
(the zygote refuses to fork with a second thread running; see ``pmtui.ssh.zygote``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import threading

SIZE = (120, 30)  # any size: the stylesheets do not depend on it
THREAD_GRACE = 10.0  # seconds to wait for the app's worker threads (they finish in milliseconds)


def draw_first_screen() -> None:
    """Run the board headless once on an empty store (a failure only costs the sessions the gain)."""
    from pmtui.service.workbench import Workbench
    from pmtui.tui.app import PmApp

    before = set(threading.enumerate())
    with tempfile.TemporaryDirectory(prefix="pmtui-zygote-") as folder:
        wb = Workbench(db=os.path.join(folder, "warm-up.db"), actor="pmtui-zygote")
        try:
            app = PmApp(wb, mode="board", poll=False)  # poll=False: no watcher thread

            async def first_screen() -> None:
                async with app.run_test(size=SIZE) as pilot:
                    await pilot.pause()

            with contextlib.suppress(Exception):
                asyncio.run(first_screen())
        finally:
            wb.close()
    for thread in set(threading.enumerate()) - before:
        thread.join(THREAD_GRACE)
