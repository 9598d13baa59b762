"""The CLI in a terminal: --version, colour only on a terminal, the board's limits and points,
the config file and its precedence, and the progress bar."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from pmtui import __version__
from pmtui.progress import Progress
from tests.cli.support import event_count, run

ESC = "\x1b["


def pmtui_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "140", "LINES": "40", **extra})
    return env


def run_on_pty(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``pmtui argv`` with stdout and stderr on a pseudo-terminal, as a person would."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pmtui.cli", *argv], stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(30), b"".join(chunks).decode("utf-8", "replace")


def run_piped(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmtui.cli", *argv], capture_output=True, text=True, env=env,
                          timeout=60, stdin=subprocess.DEVNULL)


# --version ----------------------------------------------------------------------------------------
def test_version_flag_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"pmtui {__version__}"


def test_version_json_counts_the_stores_events(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "version", "--json")
    data = json.loads(out)
    assert code == 0 and data["version"] == __version__
    assert data["events"] == event_count(demo_db) and data["store"] == str(demo_db)
    from pmtui.store.readmodel import SCHEMA_VERSION

    assert data["schema_version"] == SCHEMA_VERSION and data["read_model_at"] == data["events"]


def test_version_of_a_missing_store_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "none.db"
    code, out, _ = run(capsys, "--db", str(target), "version", "--json")
    assert code == 0 and json.loads(out)["events"] == 0 and not target.exists()


def test_version_and_completion_load_no_heavy_library(demo_db: Path) -> None:
    # The first TAB after an install reads the command tree from the parser (and keeps it).
    run_piped(["__complete", "bash", "1", ""], pmtui_env())
    probe = ("import sys\nfrom pmtui.cli import main\n"
             "main(['version', '--json']); main(['__complete', 'bash', '3', 'item', 'move', ''])\n"
             "heavy = [m for m in ('textual', 'plotext', 'asyncssh', 'psycopg', 'eventsourcing', 'rich') "
             "if m in sys.modules]\nprint('HEAVY', heavy)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=pmtui_env(), timeout=60)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


# Colour -------------------------------------------------------------------------------------------
def test_board_is_coloured_on_a_terminal_only(demo_db: Path) -> None:
    env = pmtui_env()
    code, on_terminal = run_on_pty(["board"], env)
    assert code == 0 and ESC in on_terminal and "Review" in on_terminal
    piped = run_piped(["board"], env)
    assert piped.returncode == 0 and ESC not in piped.stdout and "Review 2/3 hard" in piped.stdout


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
def test_no_color_gives_plain_text_on_a_terminal(demo_db: Path, how: str) -> None:
    env = pmtui_env(NO_COLOR="1") if how == "NO_COLOR" else pmtui_env()
    argv = ["log", "--limit", "3"] + (["--no-color"] if how == "--no-color" else [])
    code, out = run_on_pty(argv, env)
    assert code == 0 and ESC not in out and "event" in out


def test_json_is_unchanged_on_a_terminal(demo_db: Path) -> None:
    code, out = run_on_pty(["board", "--json"], pmtui_env())
    assert code == 0 and ESC not in out
    assert json.loads(out)["columns"][3]["name"] == "Review"


def test_tables_fit_a_narrow_terminal(demo_db: Path) -> None:
    code, out = run_on_pty(["log", "--limit", "5"], pmtui_env(COLUMNS="60"))
    plain = [line for line in _strip_ansi(out).splitlines() if line.strip() and not line.startswith("* ")]
    assert code == 0 and plain and max(len(line) for line in plain) <= 60


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "")


# The board's limits and points ----------------------------------------------------------------------
def test_board_marks_hard_limits_and_over_limit_columns_as_the_tui(demo_db: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "columns", "wip", "In", "progress", "1")  # soft: the column stays over it
    code, out, _ = run(capsys, "board")
    header = out.splitlines()[1]
    assert code == 0 and "Review 2/3 hard" in header
    assert "In progress 2/1 ⚠ OVER" in header and "(hard)" not in header


def test_board_shows_points_even_for_a_long_title(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = "A very long title that will never fit in one column of the board at all"
    code, out, _ = run(capsys, "item", "add", title, "--points", "8", "--status", "To do", "--json")
    key = json.loads(out)["key"]
    _, board, _ = run(capsys, "board")
    cell = next(line for line in board.splitlines() if key in line)
    assert f"{key} 8pt A very" in cell


# The config file ----------------------------------------------------------------------------------
def write_config(text: str) -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "pmtui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_config_file_sets_the_store_and_actor(tmp_path: Path, demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("PMTUI_DB")
    monkeypatch.delenv("PMTUI_ACTOR")
    write_config(f'db = "{demo_db}"\nactor = "filey"\n')
    code, out, err = run(capsys, "item", "add", "From the file", "--json")
    assert code == 0, err
    key = json.loads(out)["key"]
    _, out, _ = run(capsys, "log", "--item", key, "--json")
    assert json.loads(out)[0]["actor"] == "filey"


def test_flags_beat_environment_beat_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config('db = "/from/file.db"\nactor = "filey"\ntheme = "nord"\nweek_start = "sun"\n')
    monkeypatch.setenv("PMTUI_DB", "/from/env.db")
    monkeypatch.delenv("PMTUI_ACTOR", raising=False)
    monkeypatch.setenv("PMTUI_THEME", "dracula")
    code, out, _ = run(capsys, "config", "--json", "--db", "/from/flag.db")
    data = json.loads(out)
    assert code == 0 and data["file"] == str(path) and data["exists"] is True
    settings = data["settings"]
    assert settings["db"] == {"value": "/from/flag.db", "source": "flag --db"}
    assert settings["theme"] == {"value": "dracula", "source": "env PMTUI_THEME"}
    assert settings["actor"] == {"value": "filey", "source": "file"}
    assert settings["week_start"] == {"value": "sunday", "source": "file"}
    assert settings["timezone"]["source"] == "default"
    code, out, _ = run(capsys, "--db", "/from/flag.db", "config")
    assert f"config file: {path}" in out and "/from/flag.db  (flag --db)" in out and "filey  (file)" in out


def test_the_environment_beats_the_file_for_the_store(tmp_path: Path, demo_db: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    write_config(f'db = "{tmp_path / "other.db"}"\n')
    code, out, _ = run(capsys, "version", "--json")
    assert code == 0 and json.loads(out)["store"] == str(demo_db)  # PMTUI_DB, set by demo_db
    assert not (tmp_path / "other.db").exists()


@pytest.mark.parametrize("text, names", [
    ('colour = "red"\n', "unknown key 'colour'"),
    ("actor = 3\n", "actor must be a string"),
    ('timezone = "Mars/Olympus"\n', "timezone: unknown time zone 'Mars/Olympus'"),
    ('week_start = "someday"\n', "week_start: 'someday' is not a day of the week"),
    ('[keys]\nquit = 5\n', "keys.quit must be a key name"),
    ('keys = "ctrl+q"\n', "keys must be a table"),
    ('db = "x.db\n', "not valid TOML"),
])
def test_a_bad_config_file_is_one_line_naming_the_key(demo_db: Path, capsys: pytest.CaptureFixture[str],
                                                      text: str, names: str) -> None:
    path = write_config(text)
    before = event_count(demo_db)
    code, out, err = run(capsys, "item", "add", "Never written")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert names in err and str(path) in err and "Traceback" not in err
    assert event_count(demo_db) == before


def test_configured_time_zone_shows_times_there(demo_db: Path) -> None:
    import re
    from datetime import datetime

    write_config('timezone = "Asia/Tokyo"\n')
    env = pmtui_env(TZ="UTC")
    tokyo = run_piped(["log", "--limit", "1"], env)
    tokyo_json = run_piped(["log", "--limit", "1", "--json"], env)
    env["PMTUI_TIMEZONE"] = "UTC"
    utc = run_piped(["log", "--limit", "1"], env)
    utc_json = run_piped(["log", "--limit", "1", "--json"], env)
    shown, base = (datetime.strptime(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", out.stdout).group(0), "%Y-%m-%d %H:%M")
                   for out in (tokyo, utc))
    assert (shown - base).total_seconds() == 9 * 3600  # people read times in the configured zone
    # --json writes the moment itself (ISO 8601 with its zone), the same whatever the zone.
    assert datetime.fromisoformat(json.loads(tokyo_json.stdout)[0]["occurred"]) == \
        datetime.fromisoformat(json.loads(utc_json.stdout)[0]["occurred"])


def test_week_start_moves_the_weeks_of_the_throughput_chart(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    _, out, _ = run(capsys, "chart", "throughput", "--json")
    assert {date.fromisoformat(w["week"]).weekday() for w in json.loads(out)} == {0}
    write_config('week_start = "sunday"\n')
    _, out, _ = run(capsys, "chart", "throughput", "--json")
    assert {date.fromisoformat(w["week"]).weekday() for w in json.loads(out)} == {6}


# Progress -----------------------------------------------------------------------------------------
class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_after_a_moment_and_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PMTUI_PROGRESS", raising=False)
    ticks = iter([0.0, 0.1, 0.2, 1.0, 1.5, 2.0])
    stream = Terminal()
    bar = Progress("exporting", total=100, unit="events", stream=stream, clock=lambda: next(ticks))
    bar.advance(10)  # at 0.1 s: too early to bother anyone
    assert stream.getvalue() == ""
    bar.advance(40)  # at 0.2 s
    bar.advance(10)  # at 1.0 s
    assert "exporting" in stream.getvalue() and "60%" in stream.getvalue() and "60/100 events" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_is_quiet_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PMTUI_PROGRESS", raising=False)
    stream = io.StringIO()  # not a terminal
    ticks = iter(float(n) for n in range(100))
    bar = Progress("exporting", total=10, stream=stream, clock=lambda: next(ticks))
    for _ in range(10):
        bar.advance()
    bar.close()
    assert stream.getvalue() == ""


def test_export_shows_progress_on_a_terminal_and_keeps_the_output_clean(demo_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.jsonl"
    events = event_count(demo_db)
    code, out = run_on_pty(["export", "--out", str(target)], pmtui_env(PMTUI_PROGRESS="1"))  # drawn at once
    assert code == 0 and "exported" in out
    assert "verifying ░" in out and f"/{events:,} events" in out and out.count("\r\x1b[K") == 1
    lines = target.read_text().splitlines()
    assert len(lines) == events and all(line.startswith("{") for line in lines)
    piped = run_piped(["export"], pmtui_env())  # to standard output, through a pipe: no bar anywhere
    assert piped.returncode == 0 and piped.stderr == "" and len(piped.stdout.splitlines()) == events


def test_log_on_a_terminal_shows_the_newest_hundred_and_says_how_to_see_all(demo_db: Path) -> None:
    code, out = run_on_pty(["log"], pmtui_env(COLUMNS="200", PMTUI_DB=str(demo_db), NO_COLOR="1"))
    assert code == 0, out
    shown = [line for line in out.splitlines() if line.startswith("#")]
    assert len(shown) == 100 and "(the newest 100 events: --limit 0 shows them all)" in out
    assert event_count(demo_db) > 100
