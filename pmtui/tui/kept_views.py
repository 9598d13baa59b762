"""Switching back to a view shows the kept screen as it was, in the next frame.

Textual's ``App.switch_mode`` holds every update for 50 ms (``delay_update``: it masks a new
screen composing) and restyles the whole screen it resumes (every widget's rules matched again,
component classes included: half the CPU of a switch at 50k items). A view built before is whole
and was styled when it was left: it is shown at once, and restyled only if what its styles depend
on changed meanwhile (the stylesheet: Textual refreshes it on the way in; whether the terminal has
the focus). Its data are looked at after that frame (``PmScreen.on_screen_resume``). A view shown
for the first time goes Textual's own way."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App
from textual.widget import AwaitMount


class KeptViews(App[Any]):
    def switch_mode(self, mode: str) -> AwaitMount:
        if mode == self.current_mode or mode not in self._screen_stacks:
            return super().switch_mode(mode)
        # Textual's switch_mode (8.x), less the hold and the restyle.
        left = self.screen
        left.post_message(events.ScreenSuspend())
        left.refresh()
        self._current_mode = mode
        shown = self.screen
        if shown._css_update_count != self._css_update_count:
            self.refresh_css()
        self.mode_change_signal.publish(mode)
        self.screen_change_signal.publish(shown)
        shown._screen_resized(self.size)
        restyle = getattr(shown, "_left_with_app_focus", None) != self.app_focus
        shown.post_message(events.ScreenResume(refresh_styles=restyle))
        return AwaitMount(shown, [])
