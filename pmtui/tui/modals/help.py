"""``?``: the keys that work right now on this screen, with what they do."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

# Textual key names shown the way they are typed.
_KEY_NAMES = {
    "question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]",
    "left_curly_bracket": "{", "right_curly_bracket": "}", "slash": "/", "enter": "Enter",
    "escape": "Esc", "space": "Space", "up": "↑", "down": "↓", "left": "←", "right": "→",
    "tab": "Tab", "shift+tab": "Shift+Tab", "delete": "Del", "home": "Home", "end": "End",
}


# Textual's own focus and clipboard keys: not what a newcomer looks for here.
_HIDDEN_ACTIONS = ("focus_next", "focus_previous", "copy_text", "copy")


def key_label(key: str) -> str:
    def one(name: str) -> str:
        name = name.strip()
        for prefix, shown in (("ctrl+", "Ctrl+"), ("shift+", "Shift+")):
            if name.startswith(prefix):
                return shown + one(name[len(prefix):])
        return _KEY_NAMES.get(name, name)
    return " / ".join(one(k) for k in key.split(","))


def binding_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) of the screen's active bindings, keys with the same action grouped."""
    grouped: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or binding.system and binding.action != "command_palette":
            continue
        if binding.action.rsplit(".", 1)[-1] in _HIDDEN_ACTIONS:
            continue
        description = binding.tooltip or binding.description or binding.action
        if binding.action.startswith("app.switch_view"):
            description = description or binding.action
        grouped.setdefault(binding.action, []).append(key_label(key))
        descriptions.setdefault(binding.action, description)
    return [(" ".join(dict.fromkeys(keys)), descriptions[action]) for action, keys in grouped.items()]


class HelpModal(ModalScreen[None]):
    BINDINGS = [Binding("question_mark,escape,q,enter", "close", "Close", id="help.close")]

    def __init__(self, screen: Screen, title: str) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = binding_rows(screen)
        self.title_text = title

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, expand=True, pad_edge=False)
        table.add_column("Keys", no_wrap=True)
        table.add_column("Does")
        for keys, description in self.rows:
            table.add_row(keys, description)
        with VerticalScroll(classes="dialog help"):
            yield Label(f"Keys that work now — {self.title_text}", classes="dialog-title")
            yield Static(table, id="help-table")
            yield Label("Every action is also in the palette: Ctrl+P. Close: ? q Enter", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # ↑ ↓ PgUp PgDn scroll a long list

    def action_close(self) -> None:
        self.dismiss(None)
