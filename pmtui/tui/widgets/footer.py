"""The views' footer: Textual's, rebuilt only when the keys it shows change.

Textual rebuilds the footer (mounting and styling a widget per key) whenever the focus moves or
bindings may have changed, whether or not the keys shown did: ~10-30 ms of a loaded machine each
time, in the frame after the change. Opening the view's one-line question (``t``) and closing it
moves the focus twice and showed the same keys afterwards; while a question is open the footer is
left as it was (the view's keys are off, and the question says Enter and Esc)."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple[Any, ...]:
    """What the footer would show: each shown binding's key, label and whether it is enabled."""
    return tuple((binding.key, binding.action, binding.description, enabled)
                 for _, binding, enabled, _ in screen.active_bindings.values() if binding.show)


class ViewFooter(Footer):
    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        asking = getattr(screen, "asking", None)
        if asking is not None and asking():
            return
        if self._bindings_ready and screen is self.screen and self.is_attached:
            keys = shown_keys(screen)
            if keys == self._shown:
                return
            self._shown = keys
        super().bindings_changed(screen)
