"""Trello board exports (the JSON of "Print and export"): lists become the board's columns, cards
become work items, and the export's ``actions`` are replayed oldest first at their original times
by their original members.

What is replayed: card creation (createCard, copyCard, convertToCardFromCheckItem, moveCardToBoard,
emailCard), list moves, renames, description edits, archiving and unarchiving (``updateCard`` with
``data.old.idList/name/desc/closed``), list renames and archiving (``updateList``), labels (addLabelToCard/removeLabelFromCard), members
(the first member of a card is its assignee) and comments (commentCard). Everything else (checklists,
due dates, attachments, positions, other list and board changes) is skipped and counted.

Trello keeps at most 1000 actions, so cards created before the export's window have no createCard:
they are seeded from the card snapshot, rolled back through their in-window actions to their state
at the window's start, at the time their id encodes (a Trello id's first 8 hex digits are its Unix
creation time). Finally each card is compared with its snapshot; whatever the actions do not explain
(labels set without an exported action, say) is set at the card's last activity, so the board ends
exactly as exported.

Open cards end in the export's order (list by list, by ``pos``): positions are not replayed one by
one, the final order is set after the replay.

Columns are the lists, known by their ids (kept on each column as ``trello:<list id>``), named as
they were when the export's window opens; list renames (``updateList`` with ``data.old.name``)
rename the column at their time, and list archiving (``data.old.closed``) archives or restores
it: an archived column and the cards in it leave the board, as in Trello. Lists sharing a name
stay distinct columns ("Done", "Done (2)"). The done column is every list named like done
(done, complete, removed, won't do…), or the last list if none is; lists named like a backlog or
to-do are 'todo' columns, the others 'doing'. No WIP limits: history must replay as it happened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pmtui.importers.plan import (
    ImportFormatError, ImportPlan, Step, category_by_name, check_item_values, column_name, key_prefix_for,
    label_of, short_name, title_of, utc, whole,
)
from pmtui.importers import trello_export as export
from domain.values import NAME_LIMIT

SYSTEM = "Trello"
SNAPSHOT_ACTOR = "trello"  # author of what only the snapshot tells (no action names who did it)
CREATION = {"createCard", "copyCard", "convertToCardFromCheckItem", "moveCardToBoard", "emailCard"}
BOARD_LEVEL = {"createBoard", "updateBoard", "createList", "updateList", "moveListToBoard", "moveListFromBoard",
               "addMemberToBoard", "makeNormalMemberOfBoard", "makeAdminOfBoard", "enablePowerUp",
               "disablePowerUp", "addToOrganizationBoard", "copyBoard", "createCustomField", "updateCustomField"}


# Planning ------------------------------------------------------------------------------------------
@dataclass
class _Card:
    """A card as the replay has it so far."""

    list_id: str
    name: str
    desc: str
    closed: bool
    labels: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    last: datetime | None = None


class _Planner:
    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where
        self.cards: dict[str, dict[str, Any]] = {c["id"]: c for c in data["cards"]}
        self.actions = self._actions_oldest_first()
        self.usernames = self._usernames()
        self.label_names = {lbl["id"]: label_of(lbl.get("name"), lbl.get("color") or "")
                            for lbl in data.get("labels", []) if isinstance(lbl, dict) and "id" in lbl}
        self.columns, self.column_of = self._columns()
        self.initially_closed = dict(self.closed)
        self.state: dict[str, _Card] = {}
        self.steps: list[Step] = []
        self.replayed: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.seeded = 0

    def _actions_oldest_first(self) -> list[dict[str, Any]]:
        # Exports list actions newest first; reverse before a stable sort so same-time actions keep
        # their real order.
        actions = [{**a, "_at": utc(a["date"], "action")} for a in reversed(self.data.get("actions", []))]
        return sorted(actions, key=lambda a: a["_at"])

    def _usernames(self) -> dict[str, str]:
        names: dict[str, str] = {}
        people = [m for m in self.data.get("members", []) if isinstance(m, dict)]
        for action in self.actions:
            people += [p for p in (action.get("memberCreator"), action.get("member")) if isinstance(p, dict)]
        for person in people:
            name = person.get("username") or person.get("fullName")
            if person.get("id") and name:
                names.setdefault(person["id"], str(name))
        return names

    def actor(self, action: dict[str, Any]) -> str:
        creator = action.get("memberCreator") or {}
        return str(creator.get("username") or creator.get("fullName")
                   or self.usernames.get(action.get("idMemberCreator", ""), "")
                   or action.get("idMemberCreator") or SNAPSHOT_ACTOR)

    def member(self, member_id: str, fallback: str = "") -> str:
        return self.usernames.get(member_id) or fallback or member_id

    def _columns(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """The board's columns as its lists were at the window's start (names and archived state
        rolled back through the list actions), and each list's column: the column's name in the
        plan, which stays its identity however the list is renamed later."""
        used = {c["idList"] for c in self.data["cards"]} | export.lists_named_in_actions(self.data)
        lists = [lst for lst in sorted(self.data["lists"], key=lambda lst: export.number(lst.get("pos")))
                 if not lst.get("closed") or lst["id"] in used]
        known = {lst["id"] for lst in lists}
        for _, lst in sorted(export.action_lists(self.data), key=lambda pair: pair[0], reverse=True):
            if lst["id"] not in known and lst["id"] in used:  # a list the export no longer has: its latest name
                known.add(lst["id"])
                lists.append({"id": lst["id"], "name": lst["name"]})
        self.list_changes = [a for a in self.actions if a["type"] == "updateList" and export.list_id(a) in known
                             and ("name" in (a["data"].get("old") or {}) or "closed" in (a["data"].get("old") or {}))]
        self.list_change_ids = {id(a) for a in self.list_changes}
        self.raw_names = {lst["id"]: whole(lst["name"]) for lst in lists}
        self.closed = {lst["id"]: bool(lst.get("closed")) for lst in lists}
        for action in reversed(self.list_changes):  # newest first: undo each one
            lid, old = export.list_id(action), action["data"]["old"]
            if isinstance(old.get("name"), str):
                self.raw_names[lid] = whole(old["name"])
            if "closed" in old:
                self.closed[lid] = bool(old["closed"])
        taken: set[str] = set()
        names = {lst["id"]: column_name(self.raw_names[lst["id"]], taken) for lst in lists}
        self.shown = dict(names)  # list id -> its column's name as the replay has it so far
        categories = [category_by_name(whole(lst["name"])) for lst in lists]
        if "done" not in categories and lists:
            categories[-1] = "done"
        if lists and categories[0] is None:
            categories[0] = "todo"
        columns = [{"name": names[lst["id"]], "category": cat or "doing", "source": f"trello:{lst['id']}"}
                   for lst, cat in zip(lists, categories)]
        if not columns:
            raise ImportFormatError(f"{self.where}: not a Trello board export (it has no lists)")
        return columns, names

    def list_step(self, action: dict[str, Any]) -> None:
        """A list renamed, archived or unarchived: the same of its column, at that moment."""
        lid, old, at, who = export.list_id(action), action["data"]["old"], action["_at"], self.actor(action)
        new = action["data"].get("list") or {}
        if "closed" in old:
            closed = bool(new.get("closed", not old["closed"]))
            if closed != self.closed[lid]:
                self.closed[lid] = closed
                self.steps.append(Step(at, who, "", "archive_column" if closed else "restore_column",
                                       {"column": self.column_of[lid]}, "updateList"))
                self.replayed["updateList (archive)" if closed else "updateList (unarchive)"] += 1
            else:
                self.skipped["updateList (archive, no change)"] += 1
        if "name" in old:
            if isinstance(new.get("name"), str) and whole(new["name"]) != self.raw_names[lid]:
                self.raw_names[lid] = whole(new["name"])
                self.rename_columns(lid, at, who)
                self.replayed["updateList (rename)"] += 1
            else:
                self.skipped["updateList (rename, no change)"] += 1

    def rename_columns(self, lid: str, at: datetime, who: str) -> None:
        """Column names follow list names by list identity. Trello lets lists share a name, pmtui's
        columns not: a name taken by another list gets " (2)", and a list whose own name a rename
        frees (two lists swapping names) takes it back at the same moment."""
        def rename(list_id: str, name: str) -> None:
            if name != self.shown[list_id]:
                self.steps.append(Step(at, who, "", "rename_column",
                                       {"column": self.column_of[list_id], "name": name}, "updateList"))
                self.shown[list_id] = name
        taken = {n.lower() for other, n in self.shown.items() if other != lid}
        rename(lid, column_name(self.raw_names[lid], taken))
        for other in self.shown:
            clean = column_name(self.raw_names[other], set())
            if self.shown[other] != clean and clean.lower() not in {n.lower() for o, n in self.shown.items() if o != other}:
                rename(other, clean)

    def archive_lists_closed_from_the_start(self) -> None:
        """Lists archived before the window (no action says when): archived as the window opens."""
        at = self.actions[0]["_at"] if self.actions else max((s.occurred for s in self.steps), default=None)
        if at is None:
            return
        for lid, closed in self.initially_closed.items():
            if closed:
                self.steps.append(Step(at, SNAPSHOT_ACTOR, "", "archive_column", {"column": self.column_of[lid]},
                                       "list snapshot (archived before the export's window)"))
                self.replayed["list snapshot (archived)"] += 1

    # Steps --------------------------------------------------------------------------------------
    def step(self, at: datetime, actor: str, ref: str, action: str, values: dict[str, Any], source: str) -> None:
        if action in ("create", "edit"):
            fields = {k: v for k, v in values.items() if k not in ("title", "kind", "status")}
            values = {**values, **check_item_values(fields, f"{self.where}: card {ref}")}
        self.steps.append(Step(at, actor, ref, action, values, source))
        self.state[ref].last = at

    def assignee(self, card: _Card) -> str | None:
        return self.member(card.members[0]) if card.members else None

    def plan(self) -> ImportPlan:
        created = {a["data"]["card"]["id"] for a in self.actions if a["type"] in CREATION and export.card_id(a)}
        by_card: dict[str, list[dict[str, Any]]] = {}
        for action in self.actions:
            cid = export.card_id(action)
            if cid:
                by_card.setdefault(cid, []).append(action)
        for cid, card in self.cards.items():
            if cid not in created:
                self.seed(card, by_card.get(cid, []))
        self.archive_lists_closed_from_the_start()
        for action in self.actions:
            if id(action) in self.list_change_ids:
                self.list_step(action)
            else:
                self.replay(action)
        for cid, card in self.cards.items():
            self.reconcile(card)
        self.rank_as_exported()
        board = self.data.get("name") or "Trello board"
        times = [s.occurred for s in self.steps] + [t for t in (export.id_time(self.data.get("id", "")),) if t]
        create_board = next((a for a in self.actions if a["type"] == "createBoard"), None)
        started = create_board["_at"] if create_board else min(times, default=datetime.now(timezone.utc))
        started = min([started, *times])
        first = create_board or (self.actions[0] if self.actions else None)
        return ImportPlan(
            system=SYSTEM, board_name=short_name(board, NAME_LIMIT, "Trello board"), columns=self.columns,
            product_name=short_name(board, 200, "Trello board"), key_prefix=key_prefix_for(board, "TR"),
            started=started, started_by=self.actor(first) if first else SNAPSHOT_ACTOR, steps=self.steps,
            replayed=self.replayed, skipped=self.skipped, seeded=self.seeded, items=len(self.cards),
            sources={cid: [f"trello:{cid}"] for cid in self.cards},
        )

    def seed(self, card: dict[str, Any], actions: list[dict[str, Any]]) -> None:
        """A card created before the window: its snapshot, rolled back through its actions."""
        state = _Card(card["idList"], card.get("name") or "", card.get("desc") or "", bool(card.get("closed")),
                      self._snapshot_labels(card), list(card.get("idMembers") or []))
        for action in reversed(actions):  # newest first: undo each one
            d, old = action["data"], action["data"].get("old") or {}
            if action["type"] == "updateCard":
                if "idList" in old:
                    state.list_id = (d.get("listBefore") or {}).get("id") or old["idList"]
                if "name" in old:
                    state.name = old["name"] or state.name
                if "desc" in old:
                    state.desc = old["desc"] or ""
                if "closed" in old:
                    state.closed = bool(old["closed"])
            elif action["type"] in ("addLabelToCard", "removeLabelFromCard"):
                label = self._action_label(d)
                if action["type"] == "addLabelToCard" and label in state.labels:
                    state.labels.remove(label)
                elif action["type"] == "removeLabelFromCard" and label and label not in state.labels:
                    state.labels.append(label)
            elif action["type"] in ("addMemberToCard", "removeMemberFromCard"):
                member = export.member_id(d)
                if action["type"] == "addMemberToCard" and member in state.members:
                    state.members.remove(member)
                elif action["type"] == "removeMemberFromCard" and member and member not in state.members:
                    state.members.append(member)
        if state.list_id not in self.column_of:
            state.list_id = card["idList"]
        born = export.id_time(card["id"])
        first = actions[0]["_at"] if actions else None
        at = min(t for t in (born, first) if t) if (born or first) else None
        if at is None:
            at = min((a["_at"] for a in self.actions), default=datetime.now(timezone.utc))
        self.state[card["id"]] = state
        self.seeded += 1
        self.step(at, SNAPSHOT_ACTOR, card["id"], "create", {
            "title": title_of(state.name), "kind": "task", "status": self.column_of[state.list_id],
            "description": state.desc, "labels": state.labels, "assignee": self.assignee(state),
        }, "card snapshot (created before the export's window)")
        if state.closed:
            self.step(at, SNAPSHOT_ACTOR, card["id"], "archive", {}, "card snapshot (created before the export's window)")

    def _snapshot_labels(self, card: dict[str, Any]) -> list[str]:
        labels = [label_of(lbl.get("name"), lbl.get("color") or "") for lbl in card.get("labels") or []
                  if isinstance(lbl, dict)]
        if not labels:
            labels = [self.label_names.get(lid, "") for lid in card.get("idLabels") or []]
        return [lbl for n, lbl in enumerate(labels) if lbl and lbl not in labels[:n]]

    def _action_label(self, d: dict[str, Any]) -> str:
        label = d.get("label") or {}
        return label_of(label.get("name"), label.get("color") or "") or self.label_names.get(d.get("idLabel", ""), "")

    def replay(self, action: dict[str, Any]) -> None:
        kind, cid, at, who = action["type"], export.card_id(action), action["_at"], self.actor(action)
        d = action["data"]
        if kind in BOARD_LEVEL or not cid:
            self.skipped[kind] += 1
            return
        if cid not in self.cards:
            self.skipped[f"{kind} (card no longer on the board)"] += 1
            return
        card = self.state.get(cid)
        if kind in CREATION:
            if card is not None:
                self.skipped[f"{kind} (card exists already)"] += 1
                return
            list_id = (d.get("list") or {}).get("id") or self.cards[cid]["idList"]
            if list_id not in self.column_of:
                list_id = self.cards[cid]["idList"]
            source = self.state.get(((d.get("cardSource") or {}).get("id")) or "")
            card = self.state[cid] = _Card(list_id, (d.get("card") or {}).get("name") or self.cards[cid].get("name", ""),
                                           source.desc if source else "", False,
                                           list(source.labels) if source else [])
            self.step(at, who, cid, "create", {
                "title": title_of(card.name), "kind": "task", "status": self.column_of[list_id],
                "description": card.desc, "labels": card.labels,
            }, kind)
            self.replayed[kind] += 1
            return
        if card is None:
            self.skipped[f"{kind} (before the card's creation)"] += 1
            return
        if kind == "updateCard":
            self.update(action, card, cid, at, who)
        elif kind == "commentCard":
            text = str(d.get("text") or "").strip()
            if text:
                self.step(at, who, cid, "comment", {"text": text}, kind)
                self.replayed[kind] += 1
            else:
                self.skipped[f"{kind} (empty)"] += 1
        elif kind in ("addLabelToCard", "removeLabelFromCard"):
            label = self._action_label(d)
            if kind == "addLabelToCard":
                new = card.labels if label in card.labels else [*card.labels, label]
            else:
                new = [lbl for lbl in card.labels if lbl != label]
            if not label or new == card.labels:
                self.skipped[f"{kind} (no change)"] += 1
                return
            card.labels = new
            self.step(at, who, cid, "edit", {"labels": list(new)}, kind)
            self.replayed[kind] += 1
        elif kind in ("addMemberToCard", "removeMemberFromCard"):
            member = export.member_id(d)
            if member:
                self.usernames.setdefault(member, self.member(member, (d.get("member") or {}).get("name", "")))
            before = self.assignee(card)
            if kind == "addMemberToCard" and member and member not in card.members:
                card.members.append(member)
            elif kind == "removeMemberFromCard" and member in card.members:
                card.members.remove(member)
            else:
                self.skipped[f"{kind} (no change)"] += 1
                return
            self.replayed[kind] += 1
            if self.assignee(card) != before:
                self.step(at, who, cid, "edit", {"assignee": self.assignee(card)}, kind)
        else:
            self.skipped[kind] += 1

    def update(self, action: dict[str, Any], card: _Card, cid: str, at: datetime, who: str) -> None:
        d, old = action["data"], action["data"].get("old") or {}
        new = d.get("card") or {}
        if not old:
            self.skipped["updateCard (no change)"] += 1
        for key in old:
            if key == "idList":
                target = (d.get("listAfter") or {}).get("id") or new.get("idList")
                if target in self.column_of and target != card.list_id:
                    card.list_id = target
                    self.step(at, who, cid, "move", {"column": self.column_of[target]}, "updateCard")
                    self.replayed["updateCard (list move)"] += 1
                else:
                    self.skipped["updateCard (list move, no change)"] += 1
            elif key == "name" and isinstance(new.get("name"), str):
                if title_of(new["name"]) != title_of(card.name):
                    card.name = new["name"]
                    self.step(at, who, cid, "edit", {"title": title_of(card.name)}, "updateCard")
                    self.replayed["updateCard (rename)"] += 1
                else:
                    self.skipped["updateCard (rename, no change)"] += 1
            elif key == "desc" and isinstance(new.get("desc", ""), (str, type(None))):
                text = new.get("desc") or ""
                if text != card.desc:
                    card.desc = text
                    self.step(at, who, cid, "edit", {"description": text}, "updateCard")
                    self.replayed["updateCard (description)"] += 1
                else:
                    self.skipped["updateCard (description, no change)"] += 1
            elif key == "closed":
                closed = bool(new.get("closed", not old["closed"]))
                if closed != card.closed:
                    card.closed = closed
                    self.step(at, who, cid, "archive" if closed else "restore", {}, "updateCard")
                    self.replayed["updateCard (archive)" if closed else "updateCard (unarchive)"] += 1
                else:
                    self.skipped["updateCard (archive, no change)"] += 1
            else:
                self.skipped[f"updateCard ({key})"] += 1

    def reconcile(self, snapshot: dict[str, Any]) -> None:
        """Set what the actions left different from the card's snapshot, at its last activity."""
        cid = snapshot["id"]
        card = self.state[cid]
        target = _Card(snapshot["idList"], snapshot.get("name") or "", snapshot.get("desc") or "",
                       bool(snapshot.get("closed")), self._snapshot_labels(snapshot),
                       list(snapshot.get("idMembers") or []))
        last = card.last or datetime.now(timezone.utc)
        activity = snapshot.get("dateLastActivity")
        at = max(last, utc(activity, "card") if isinstance(activity, str) else last)
        source = "card snapshot"
        changed = False
        edits: dict[str, Any] = {}
        if title_of(target.name) != title_of(card.name):
            edits["title"] = title_of(target.name)
        if target.desc != card.desc:
            edits["description"] = target.desc
        if target.labels != card.labels:
            edits["labels"] = target.labels
        if self.assignee(target) != self.assignee(card):
            edits["assignee"] = self.assignee(target)
        if card.closed and not target.closed:
            self.step(at, SNAPSHOT_ACTOR, cid, "restore", {}, source)
            changed = True
        if edits:
            self.step(at, SNAPSHOT_ACTOR, cid, "edit", edits, source)
            changed = True
        if target.list_id != card.list_id:
            self.step(at, SNAPSHOT_ACTOR, cid, "move", {"column": self.column_of[target.list_id]}, source)
            changed = True
        if target.closed and not card.closed:
            self.step(at, SNAPSHOT_ACTOR, cid, "archive", {}, source)
            changed = True
        self.state[cid] = target
        if changed:
            self.replayed["card snapshot (final state)"] += 1


    def rank_as_exported(self) -> None:
        """Order the open cards as Trello does (list by list, by ``pos``) once the replay is done;
        each step ranks a card after its predecessor, and writes only if it is not there already."""
        if not self.steps:
            return
        end = max(s.occurred for s in self.steps)
        columns = list(self.column_of)
        order = sorted((c for c in self.cards.values() if not c.get("closed")),
                       key=lambda c: (columns.index(c["idList"]), export.number(c.get("pos"))))
        for before, card in zip(order, order[1:]):
            if before["idList"] != card["idList"]:
                continue  # a board shows each column in rank order: only the order within one matters
            self.step(end, SNAPSHOT_ACTOR, card["id"], "rank", {"after": before["id"]}, "card snapshot (position)")


def plan_trello(data: dict[str, Any], where: str = "the file") -> ImportPlan:
    """The import plan for a Trello export (validated here)."""
    export.validate(data, where)
    try:
        return _Planner(data, where).plan()
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        # validate() checks what every export has; a field of an odd shape deeper in an action
        # still must not end in a traceback (and nothing has been written yet).
        raise ImportFormatError(f"{where}: not a Trello board export (a value of an unexpected shape: "
                                f"{type(error).__name__} {error})") from None


def plan_file(path: str | Path) -> ImportPlan:
    return plan_trello(export.load(path), str(path))
