"""Stored text that is really terminal commands never reaches the terminal from the TUI (locally or
over SSH, where the same app draws): the lines Textual writes carry pmtui's colours and nothing
from the text itself that a terminal would obey."""

from __future__ import annotations

import re

from pmtui.service.workbench import Workbench

HOSTILE = "Pay \x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b]0;pwned\x07\x9b31m\u202eend"
# What Textual itself writes inside a line: colour changes and hyperlinks (OSC 8).
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;:]*m|\x1b\]8;[^\x1b]*\x1b\\")


def drawn_output(app) -> str:
    """The bytes the app would send for the whole screen, line by line."""
    return "\n".join(strip.render(app.console) for strip in app.screen._compositor.render_strips())


async def test_a_hostile_title_is_drawn_without_its_commands(make_app, wb: Workbench) -> None:
    key = wb.add_item(HOSTILE)
    wb.comment(key, "see \x1b[2J here")
    app = make_app("backlog")
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("a")  # show every item
        app.screen.query_one("#backlog-table").focus()
        await pilot.pause()
        screens = [drawn_output(app)]
        await pilot.press("colon")
        await pilot.pause()
        for char in key:
            await pilot.press(char)
        await pilot.press("enter")
        await pilot.pause(0.2)  # the item's form, with the title in its field and the comment
        screens.append(drawn_output(app))
    for output in screens:
        assert "Pay" in output  # the text itself is shown
        rest = OWN_SEQUENCES.sub("", output)
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", rest), repr(rest[:200])
    assert "]52;c;cHduZWQ=" in screens[1]
