"""The key bar at the bottom of every view: Textual's ``Footer``, rebuilt only when the keys it
shows change, with its keys made compact before they are mounted.

Textual's footer rebuilds all its keys (new widgets, styled, laid out) on every "bindings
updated" signal, once per signal even when several come in one refresh, and whether or not the
keys shown changed: a focus change, a view switch, a redraw of the bars. A first screen got ten
rebuilds. And its ``FooterKey`` starts with ``compact`` True and a watcher that adds the
``-compact`` class once the key is mounted; a class added to a mounted widget restyles it at once,
so every key was styled twice. Together about a third of the CPU of a first screen, paid by each
SSH session as it logs in (50 people at 9:00 on two cores).

While the view asks a one-line question (``t``: "As of when?") the bar is left as it was: the
view's keys are off and the question says Enter and Esc; opening and closing it moved the focus
twice and rebuilt the same keys (~10-30 ms of a loaded machine in the frame after the key).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyBar(Footer):
    """``Footer`` that rebuilds once per burst of binding changes, and only for a change it shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rebuild_pending = False
        self._shown: tuple[Any, ...] | None = None  # what the keys were last built from

    def shown_keys(self) -> tuple[Any, ...]:
        """What the bar draws from: the screen's shown bindings (key, label, action, enabled,
        tooltip, group), and whether the palette's key is there."""
        active = self.screen.active_bindings
        keys = tuple((binding.key, binding.key_display, binding.description, binding.action, enabled, tooltip,
                      id(binding.group) if binding.group is not None else None)
                     for _node, binding, enabled, tooltip in active.values() if binding.show)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        return keys, self.compact, self.show_command_palette, None if palette is None else palette[2]

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self.shown_keys()
        for widget in super().compose():
            if isinstance(widget, FooterKey) and self.compact:
                widget.add_class("-compact", update=False)  # not mounted yet: nothing to restyle
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        asking = getattr(screen, "asking", None)
        if asking is not None and asking():
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached or self._shown == self.shown_keys():
            return
        await self.recompose()
