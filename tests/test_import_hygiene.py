"""The layers' imports go pmtui -> projections -> domain: the domain and the read model must not
load a UI, plotting, SSH or database library, nor anything of pmtui. Every module of each package is imported, in an interpreter of its own
per package (not this test run's, where pmtui is loaded already)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("textual", "rich", "plotext", "textual_plotext", "asyncssh", "psycopg", "psycopg_pool", "sqlite3",
             "pmtui")


def modules(package: str) -> list[str]:
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        found.append(info.name)
    return sorted(found)


@pytest.mark.parametrize("package", ["domain", "projections"])
def test_domain_and_projections_load_no_ui_ssh_or_database_library(package: str) -> None:
    names = modules(package)
    assert len(names) > 5  # the walk found the modules (a wrong path would pass vacuously)
    code = (
        "import importlib, sys\n"
        f"forbidden = {FORBIDDEN!r}\n"
        f"for name in {names!r}:\n"
        "    before = set(sys.modules)\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in forbidden)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "", f"{package} loads {out.strip()}"


def test_the_check_would_see_a_forbidden_import() -> None:
    """The test above can fail: a module that imports sqlite3 is caught."""
    code = ("import sys, sqlite3\n"
            f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "sqlite3" in out


def test_the_store_layer_imports_no_service_or_edge_of_pmtui() -> None:
    """pmtui/store (the log, the chain, the read model's tables) sits under the service layer:
    importing every one of its modules loads nothing of pmtui.service, cli, tui, ssh or importers."""
    names = ["pmtui.store", *(info.name for info in pkgutil.walk_packages([str(ROOT / "pmtui" / "store")],
                                                                          prefix="pmtui.store."))]
    assert len(names) > 5
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "above = ('pmtui.service', 'pmtui.cli', 'pmtui.tui', 'pmtui.ssh', 'pmtui.importers')\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(above))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "", f"pmtui.store loads {out.strip()}"


def test_the_quick_write_path_imports_no_eventsourcing_and_no_aggregate() -> None:
    """An item's quick writes (pmtui/service/item_writes.py) decide with the rules' modules and
    store through pmtui.store.append: none of them may import eventsourcing or build an aggregate's
    event classes (that cost more than the rest of a write command; issue 10)."""
    names = ["domain.item_rules", "domain.board_rules", "pmtui.store.append", "pmtui.service.item_writes",
             "pmtui.service.workbench", "pmtui.cli.item", "pmtui.cli.session"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "aggregates = ('domain.base', 'domain.work_item', 'domain.board', 'domain.product', 'domain.sprint')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'eventsourcing' or m in aggregates)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "", f"the quick write path loads {out.strip()}"
