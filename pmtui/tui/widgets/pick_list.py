"""A multi-select list whose picked rows say so in text (``✔``), not only in colour: with
NO_COLOR a SelectionList's ticked and unticked boxes look the same."""

from __future__ import annotations

from textual.widgets import SelectionList


class PickList(SelectionList[str]):
    def __init__(self, rows: list[tuple[str, str]], *, id: str | None = None) -> None:
        self._labels = dict((value, label) for label, value in rows)
        super().__init__(*[(self._label(label, False), value) for label, value in rows], id=id)

    @staticmethod
    def _label(label: str, picked: bool) -> str:
        return f"{'✔' if picked else '·'} {label}"

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        picked = set(self.selected)
        for index in range(self.option_count):
            option = self.get_option_at_index(index)
            value = option.value
            self.replace_option_prompt_at_index(index, self._label(self._labels[value], value in picked))

    def replace_rows(self, rows: list[tuple[str, str]], picked: set[str]) -> None:
        """Show other rows (a filter changed), those in ``picked`` ticked."""
        self.clear_options()
        self._labels = dict((value, label) for label, value in rows)
        self.add_options([(self._label(label, value in picked), value, value in picked) for label, value in rows])
        if rows:
            self.highlighted = 0  # Space picks the first match straight away
