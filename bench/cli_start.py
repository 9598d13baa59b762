"""What a short CLI command costs as a whole process, and which modules it imports: a write
(``item add``, ``item edit``, ``item move``, ``item comment``, ``kpi measure``), a query (``backlog``) and ``pmtui --help``, beside the
floor measured in the same run (python + sqlite3 + msgspec, one insert).

    python bench/cli_start.py                           # stores of 10k and 50k items (built once, kept)
    python bench/cli_start.py --code /path/to/other     # the same commands with another checkout's
                                                        # pmtui (its .venv), in turns with this one

The processes of each figure take turns (floor, this checkout, the other), so a machine that gets
busier during the run slows them alike. Python's bytecode cache is written first
(``compileall``): an environment with PYTHONDONTWRITEBYTECODE would otherwise time the compiler.
Targets (issue 10; reported, not asserted): a write <= 120 ms, the same at 10k and at 50k items.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from core import FLOOR, Runner, build  # noqa: E402

HERE = Path(__file__).resolve().parents[1]
HEAVY = ("textual", "asyncssh", "plotext", "psycopg", "eventsourcing", "domain")
PROBE = ("import runpy, sys, atexit\n"
         "def report():\n"
         f"    heavy = sorted({{m.split('.')[0] for m in sys.modules if m.split('.')[0] in {HEAVY!r}}})\n"
         "    aggregates = sorted(m for m in sys.modules if m.startswith('domain.') and m.split('.')[1] in "
         "('work_item', 'board', 'product', 'sprint', 'release', 'roadmap', 'objective', 'kpi', 'user', "
         "'feedback', 'document'))\n"
         "    sys.stderr.write('MODULES ' + ','.join(heavy) + ' | ' + ','.join(aggregates) + '\\n')\n"
         "atexit.register(report)\n"
         "sys.argv = ['pmtui', *sys.argv[1:]]\n"
         "runpy.run_module('pmtui', run_name='__main__')\n")


def env_for(code: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def python(code: Path) -> str:
    """The checkout's own interpreter (its .venv, where pmtui is installed from it), else this one."""
    own = code / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Wall ms, CPU ms (user + system, from wait4: steadier than the wall clock on a shared
    machine) and stderr of one process, started in ``cwd`` (``-m``/``-c`` put it first on the path)."""
    import time

    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = (time.perf_counter() - started) * 1000
        err.seek(0)
        text = err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {text[-400:]}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, text


def modules(code: Path, args: list[str]) -> str:
    _, _, err = run([python(code), "-c", PROBE, *args], env_for(code), code)
    return next((line[8:] for line in err.splitlines() if line.startswith("MODULES ")), "?")


def compiled(codes: list[Path]) -> list[Path]:
    """Each checkout's bytecode written first: with PYTHONDONTWRITEBYTECODE set, every process would
    otherwise time the compiler."""
    for code in codes:
        for package in ("pmtui", "domain", "projections"):
            compileall.compile_dir(str(code / package), quiet=1)
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, action="append", help="store sizes in items (default 10000 and 50000)")
    parser.add_argument("--runs", type=int, default=7, help="processes per figure and checkout")
    parser.add_argument("--code", action="append", default=[], help="another checkout to run in turns (before)")
    parser.add_argument("--keep", default=str(Path(tempfile.gettempdir()) / "pmtui-bench"),
                        help="folder for the built stores (kept between runs)")
    args = parser.parse_args()
    codes = compiled([HERE, *(Path(c).resolve() for c in args.code)])
    keep = Path(args.keep)
    keep.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    runner = Runner(1)
    floor_db = keep / "floor.db"
    for items in args.items or [10_000, 50_000]:
        store = keep / f"items-{items}.db"
        build(store, items, runner)
        with sqlite3.connect(store) as conn:
            keys = [r[0] for r in conn.execute(
                "SELECT key FROM rm_current WHERE tbl = 'items' AND key IS NOT NULL ORDER BY random() LIMIT 50")]
            # Cards in the two columns without a WIP limit of the demo's board, moved between them.
            cards = dict(conn.execute("SELECT key, status FROM rm_current WHERE tbl = 'items' AND status IN "
                                      "('Backlog', 'To do') ORDER BY random() LIMIT 50").fetchall())

        def move(n: int) -> list[str]:
            key = rng.choice(sorted(cards))
            cards[key] = "To do" if cards[key] == "Backlog" else "Backlog"
            return ["item", "move", key, cards[key]]

        commands = {
            "item add TITLE": lambda n: ["item", "add", f"bench item {n}"],
            "item edit KEY --title T": lambda n: ["item", "edit", rng.choice(keys), "--title",
                                                  f"edited {rng.random()}"],
            "item move KEY COLUMN": move,
            "item comment KEY TEXT": lambda n: ["item", "comment", rng.choice(keys), f"bench comment {n}"],
            "kpi measure NPS VALUE": lambda n: ["kpi", "measure", "NPS", f"{rng.uniform(0, 60):.1f}"],
            "backlog": lambda n: ["backlog"],
            "--help": lambda n: ["--help"],
        }
        print(f"\n# {items:,} items ({store})")
        for name, make in commands.items():
            walls: dict[str, list[float]] = {"floor": [], **{str(c): [] for c in codes}}
            cpus: dict[str, list[float]] = {"floor": [], **{str(c): [] for c in codes}}
            for n in range(args.runs):
                wall, cpu, _ = run([sys.executable, "-c", FLOOR, str(floor_db)], env_for(HERE), HERE)
                walls["floor"].append(wall)
                cpus["floor"].append(cpu)
                for code in codes:
                    wall, cpu, _ = run([python(code), "-m", "pmtui", "--db", str(store), *make(n)], env_for(code), code)
                    walls[str(code)].append(wall)
                    cpus[str(code)].append(cpu)
            floor, floor_cpu = statistics.median(walls["floor"]), statistics.median(cpus["floor"])
            print(f"{name:<26} floor: wall {floor:5.0f} ms, cpu {floor_cpu:5.0f} ms")
            for code in codes:
                wall, cpu = statistics.median(walls[str(code)]), statistics.median(cpus[str(code)])
                print(f"    wall {wall:6.0f} ms = {wall / floor:4.1f}x floor (min {min(walls[str(code)]):5.0f})   "
                      f"cpu {cpu:5.0f} ms = {cpu / floor_cpu:4.1f}x floor   {code}\n"
                      f"        imports: {modules(code, ['--db', str(store), *make(0)])}")


if __name__ == "__main__":
    main()
