"""Shell completion for bash, zsh and fish: ``pmtui completion SHELL`` prints a small script whose
function asks ``pmtui __complete SHELL INDEX WORD...`` for the candidates of the word at INDEX
(the program's name is word 0).

Two things keep a TAB quick:
- the command tree (commands, verbs, options, choices, and which argument takes which kind of
  value) is read from the argparse parser once and kept in ``$XDG_CACHE_HOME/pmtui/``, rebuilt when
  pmtui's CLI modules change;
- live values (item keys, columns, sprints, releases, KPIs, roadmap items, boards) are folded from
  the event log with sqlite3 alone, and the fold is kept beside the tree: a TAB reads only the
  events written since the last one.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TREE_VERSION = 1
VALUES_VERSION = 2

# Which argument takes which kind of live value: (command path prefix, argument dest, kind).
# The first rule that matches wins; kind None means "nothing to offer" (e.g. a new name).
RULES: list[tuple[tuple[str, ...], str, str | None]] = [
    (("roadmap", "add"), "status", None),
    (("roadmap",), "status", None),
    (("roadmap",), "ref", "roadmap"),
    (("roadmap",), "epic", "items"),
    (("sprint", "plan"), "name", None),
    (("sprint",), "name", "sprints"),
    (("sprint",), "sprint", "sprints"),
    (("release", "add"), "name", None),
    (("release",), "name", "releases"),
    (("kpi", "add"), "name", None),
    (("kpi",), "name", "kpis"),
    (("columns", "add"), "name", None),
    (("columns",), "name", "columns"),
    (("columns",), "old", "columns"),
    (("columns",), "column", "columns"),
    (("item", "move"), "column", "columns"),
    (("item", "rank"), "other", "items"),
    (("item", "link"), "other", "items"),
    ((), "key", "items"),
    ((), "keys", "items"),
    ((), "items", "items"),
    ((), "item", "items"),
    ((), "epic", "items"),
    ((), "sprint", "sprints"),
    ((), "release", "releases"),
    ((), "status", "columns"),
    ((), "kpi", "kpis"),
    ((), "board", "boards"),
]


def kind_of(path: Sequence[str], dest: str) -> str | None:
    for prefix, name, kind in RULES:
        if name == dest and tuple(path[: len(prefix)]) == prefix:
            return kind
    return None


# The command tree --------------------------------------------------------------------------------
def _node(parser: Any, path: list[str]) -> dict[str, Any]:
    import argparse

    node: dict[str, Any] = {"options": {}, "positionals": [], "commands": {}}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                if name.startswith("_"):
                    continue
                node["commands"][name] = _node(child, [*path, name])
            continue
        if action.help == argparse.SUPPRESS and not action.option_strings:
            continue
        values: dict[str, Any] = {"choices": [str(c) for c in action.choices] if action.choices else None,
                                  "kind": kind_of(path, action.dest), "many": action.nargs in ("+", "*")}
        if action.option_strings:
            takes = action.nargs != 0 and not isinstance(
                action, (argparse._StoreTrueAction, argparse._StoreFalseAction, argparse._HelpAction,
                         argparse._VersionAction, argparse._CountAction, argparse._StoreConstAction))
            for option in action.option_strings:
                if option.startswith("--"):
                    node["options"][option] = {**values, "takes": takes}
        else:
            node["positionals"].append(values)
    return node


def build_tree() -> dict[str, Any]:
    from pmtui.cli import build_parser

    return _node(build_parser(), [])


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pmtui"


def _signature() -> str:
    """Changes whenever pmtui's CLI modules do (an upgrade, an edit in a checkout)."""
    from pmtui import __version__

    here = Path(__file__).parent
    stamps = sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in here.glob("*.py"))
    return hashlib.sha256(repr((TREE_VERSION, __version__, str(here), stamps)).encode()).hexdigest()[:16]


def load_tree() -> dict[str, Any]:
    signature = _signature()
    path = cache_dir() / f"completion-tree-{signature}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    tree = build_tree()
    _write_atomically(path, json.dumps(tree))
    for old in path.parent.glob("completion-tree-*.json"):  # trees of earlier versions
        if old != path:
            old.unlink(missing_ok=True)
    return tree


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(text)
        os.replace(partial, path)
    except OSError:
        pass  # a cache that cannot be written only costs speed


# Live values from the store ---------------------------------------------------------------------
KINDS = ("items", "columns", "sprints", "releases", "kpis", "roadmap", "boards")
TOPICS = {
    "domain.work_item:WorkItem.Created", "domain.board:Board.Created", "domain.board:Board.Edited",
    "domain.sprint:Sprint.Planned", "domain.sprint:Sprint.Edited", "domain.release:Release.Created",
    "domain.release:Release.Edited", "domain.kpi:Kpi.Defined", "domain.kpi:Kpi.Edited",
    "domain.roadmap:RoadmapItem.Proposed",
}


def _empty_fold() -> dict[str, Any]:
    return {"position": 0, "items": [], "boards": {}, "sprints": {}, "releases": {}, "kpis": {}, "roadmap": []}


def _fold(state: dict[str, Any], topic: str, data: dict[str, Any], aggregate: str) -> None:
    event = topic.rsplit(".", 1)[1]
    kind = topic.split(":", 1)[1].split(".", 1)[0]
    if kind == "WorkItem":
        state["items"].append(data.get("key", ""))
    elif kind == "RoadmapItem":  # RM-n: the number its event carries, else the next (as the read model)
        numbers = state["roadmap"]
        numbers.append(int(data.get("number") or 0) or max(numbers, default=0) + 1)
    elif kind == "Board":
        board = state["boards"].setdefault(aggregate, {"name": "", "columns": []})
        if event == "Created":
            board["name"], board["columns"] = data.get("name", ""), [c.get("name", "") for c in data.get("columns", [])]
        else:
            changes = data.get("changes", {})
            if "name" in changes:
                board["name"] = changes["name"][1]
            if "columns" in changes:
                board["columns"] = [c.get("name", "") for c in changes["columns"][1]]
    else:
        names = state[{"Sprint": "sprints", "Release": "releases", "Kpi": "kpis"}[kind]]
        if event == "Edited":
            new = data.get("changes", {}).get("name")
            if new and aggregate in names:
                names[aggregate] = new[1]
        else:
            names[aggregate] = data.get("name", "")


def store_values(db: str | None) -> dict[str, list[str]]:
    """The live values of the store, by kind; empty for a store that is not a SQLite file."""
    from pmtui.service.storeinfo import connect_readonly, default_db_path, is_postgres

    target = db or str(default_db_path())
    if target == ":memory:" or is_postgres(target):
        return {}  # PostgreSQL would cost a driver import and a connection per TAB
    path = Path(target).expanduser()
    conn = connect_readonly(path)
    if conn is None:
        return {}
    try:
        head = conn.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0] or 0
        cached = cache_dir() / f"values-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]}.json"
        try:
            state = json.loads(cached.read_text())
            if state.get("version") != VALUES_VERSION or state["position"] > head:
                raise ValueError("another store, or an older cache")
        except (OSError, ValueError, KeyError):
            state = {**_empty_fold(), "version": VALUES_VERSION}
        if head > state["position"]:
            marks = ",".join("?" * len(TOPICS))
            rows = conn.execute(f"SELECT originator_id, topic, CAST(state AS TEXT) FROM stored_events "  # noqa: S608
                                f"WHERE rowid > ? AND topic IN ({marks}) ORDER BY rowid",
                                [state["position"], *sorted(TOPICS)])
            for aggregate, topic, text in rows:
                try:
                    _fold(state, topic, json.loads(text), aggregate)
                except (ValueError, KeyError, TypeError, AttributeError, IndexError):
                    continue  # one odd event must not cost the whole list
            state["position"] = head
            _write_atomically(cached, json.dumps(state))
    except sqlite3.Error:
        return {}
    finally:
        conn.close()
    return {
        "items": state["items"],
        "columns": list(dict.fromkeys(c for b in state["boards"].values() for c in b["columns"])),
        "boards": [b["name"] for b in state["boards"].values()],
        "sprints": list(state["sprints"].values()),
        "releases": list(state["releases"].values()),
        "kpis": list(state["kpis"].values()),
        "roadmap": [f"RM-{n}" for n in state["roadmap"]],
    }


# Answering a TAB --------------------------------------------------------------------------------
GLOBAL_OPTIONS = ("--db", "--actor", "--json", "--no-color", "--help")


def candidates(words: Sequence[str], index: int, tree: dict[str, Any],
               values: Any) -> list[str]:
    """What may stand at ``words[index - 1]`` (``index`` counts the program as word 0).
    ``values(kind)`` gives the live values of a kind."""
    before = list(words[: index - 1])
    current = words[index - 1] if index - 1 < len(words) else ""
    node, path, used, pending = tree, [], 0, None  # pending: the option whose value comes next
    for word in before:
        if pending is not None:
            if pending.get("many") and word.startswith("-"):
                pending = None
            else:
                if not pending.get("many"):
                    pending = None
                continue
        if word.startswith("--"):
            spec = node["options"].get(word.split("=", 1)[0])
            if spec and spec["takes"] and "=" not in word:
                pending = spec
            continue
        if word.startswith("-"):
            continue
        if word in node["commands"] and used == 0:
            node, path = node["commands"][word], [*path, word]
            continue
        used += 1
    if pending is not None and not (pending.get("many") and current.startswith("-")):
        found = _values_of(pending, values)
    elif current.startswith("-"):
        found = sorted(node["options"]) or list(GLOBAL_OPTIONS)
    else:
        found = list(node["commands"]) if used == 0 else []
        positionals = node["positionals"]
        if positionals:
            slot = positionals[min(used, len(positionals) - 1)]
            if used < len(positionals) or slot.get("many"):
                found += _values_of(slot, values)
    # Names with spaces are offered whole; the shell quotes them.
    return [c for c in dict.fromkeys(found) if c and c.lower().startswith(current.lower())]


def _values_of(spec: dict[str, Any], values: Any) -> list[str]:
    if spec.get("choices"):
        return list(spec["choices"])
    return list(values(spec["kind"])) if spec.get("kind") else []


def _db_from(words: Sequence[str]) -> str | None:
    for i, word in enumerate(words):
        if word == "--db" and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--db="):
            return word[5:]
    return None


def complete_command(argv: Sequence[str]) -> int:
    """``pmtui __complete SHELL INDEX WORD...``: one candidate a line. Quiet and exit 0 whatever
    happens: a completion must never print an error into the user's command line."""
    try:
        shell, index, words = argv[0], int(argv[1]), list(argv[2:])
    except (IndexError, ValueError):
        return 0
    try:
        from pmtui import config

        try:
            settings = config.load({"db": _db_from(words)})
            db = settings.get("db")
        except config.ConfigError:
            db = _db_from(words) or os.environ.get("PMTUI_DB")
        loaded: dict[str, list[str]] = {}

        def values(kind: str) -> list[str]:
            if not loaded:
                loaded.update(store_values(db) or {"": []})
            return loaded.get(kind, [])

        found = candidates(words, index, load_tree(), values)
    except Exception:  # noqa: BLE001 - see the docstring
        if os.environ.get("PMTUI_DEBUG"):
            raise
        return 0
    out = sys.stdout
    for candidate in found:
        if shell == "bash":
            candidate = _bash_escape(candidate, words[index - 1] if index - 1 < len(words) else "")
        out.write(candidate.replace("\n", " ") + "\n")
    return 0


def _bash_escape(text: str, current: str) -> str:
    if current.startswith(("'", '"')):
        return current[0] + text + current[0]
    out = []
    for char in text:
        if char in " \t\\'\"()[]{}&;|<>$`!*?#~":
            out.append("\\")
        out.append(char)
    return "".join(out)


# The scripts ------------------------------------------------------------------------------------
BASH = r"""# pmtui completion for bash: add to ~/.bashrc
#   eval "$(pmtui completion bash)"
_pmtui_complete() {
    local IFS=$'\n' line
    local current="${COMP_WORDS[COMP_CWORD]}"
    COMPREPLY=()
    # The words as the user typed them (COMP_WORDBREAKS would split AC-1:x or a=b).
    local words=("${COMP_WORDS[@]:1}")
    while IFS= read -r line; do
        [ -n "$line" ] && COMPREPLY+=("$line")
    done < <("${COMP_WORDS[0]}" __complete bash "$COMP_CWORD" "${words[@]}" 2>/dev/null)
    return 0
}
complete -o bashdefault -o default -F _pmtui_complete pmtui
"""

ZSH = r"""#compdef pmtui
# pmtui completion for zsh: add to ~/.zshrc (after compinit)
#   eval "$(pmtui completion zsh)"
_pmtui_complete() {
    local -a found
    found=("${(@f)$(${words[1]} __complete zsh $((CURRENT - 1)) "${(@)words[2,-1]}" 2>/dev/null)}")
    found=(${found:#})
    if (( ${#found} )); then
        compadd -- "${found[@]}"
    else
        _files
    fi
}
compdef _pmtui_complete pmtui
"""

FISH = r"""# pmtui completion for fish: save as ~/.config/fish/completions/pmtui.fish
#   pmtui completion fish > ~/.config/fish/completions/pmtui.fish
function __pmtui_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    $tokens[1] __complete fish (count $tokens) $tokens[2..-1] "$current" 2>/dev/null
end
complete -c pmtui -f -a '(__pmtui_complete)'
"""


def script(shell: str) -> str:
    return {"bash": BASH, "zsh": ZSH, "fish": FISH}[shell]
