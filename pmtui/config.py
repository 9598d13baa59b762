"""The user's settings: ``$XDG_CONFIG_HOME/pmtui/config.toml`` (``~/.config/pmtui/config.toml``).

    db = "~/work/acme.db"            # or postgresql://user@host:5432/db
    actor = "alice"
    timezone = "Europe/Paris"        # how times are shown and read (default: the system's)
    week_start = "monday"            # the first day of a week in weekly charts
    theme = "textual-light"          # a Textual theme for the TUI

    [keys]                           # the TUI's bindings, by id: the keys that trigger them
    "board.move-left" = "ctrl+h"

A value comes from the first of: a command-line flag, an environment variable, the file, the
default. ``pmtui config`` shows each value in force and where it came from. A bad file is one
line naming the key and the problem (exit 2): a typo never silently falls back to a default.

Only the standard library here: every command (and each TAB of shell completion) reads this.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmtui.errors import UserError

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# setting -> the environment variable that overrides the file
ENVIRONMENT = {
    "db": "PMTUI_DB",
    "actor": "PMTUI_ACTOR",
    "timezone": "PMTUI_TIMEZONE",
    "week_start": "PMTUI_WEEK_START",
    "theme": "PMTUI_THEME",
}
SETTINGS = list(ENVIRONMENT)
DEFAULTS: dict[str, str | None] = {
    "db": None,  # the default SQLite file (pmtui.store.storage.default_db_path)
    "actor": None,  # your login name
    "timezone": None,  # the system's
    "week_start": "monday",
    "theme": "textual-dark",
}
# Light Textual themes: the TUI's own colours are theme variables, so these read as well as the dark ones.
LIGHT_THEMES = ("textual-light", "solarized-light", "catppuccin-latte", "rose-pine-dawn", "atom-one-light")


class ConfigError(UserError):
    """The config file cannot be used: says which key and what is wrong, in one line."""


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("PMTUI_CONFIG"):  # another file, for a test or a second setup
        return Path(env["PMTUI_CONFIG"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "pmtui" / "config.toml"


@dataclass(frozen=True)
class Value:
    value: Any
    source: str  # "flag --db", "env PMTUI_DB", "file", "default"


@dataclass
class Settings:
    path: Path
    file_exists: bool
    values: dict[str, Value] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> key(s), from the file's [keys]

    def get(self, name: str) -> Any:
        return self.values[name].value

    @property
    def week_start(self) -> int:
        """0 for Monday ... 6 for Sunday."""
        return WEEKDAYS.index(self.get("week_start"))


def _check_timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Europe/Paris or UTC)") from None
    return name


def _check_week_start(name: str) -> str:
    text = name.strip().lower()
    found = [day for day in WEEKDAYS if len(text) >= 2 and day.startswith(text)]
    if len(found) != 1:
        raise ValueError(f"{name!r} is not a day of the week (monday ... sunday)")
    return found[0]


def _check_text(name: str) -> str:
    if not name.strip():
        raise ValueError("is empty")
    return name.strip()


CHECKS = {"db": _check_text, "actor": _check_text, "timezone": _check_timezone,
          "week_start": _check_week_start, "theme": _check_text}


def _checked(name: str, raw: Any, where: str) -> str:
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: {name} must be a string (got {type(raw).__name__} {raw!r})")
    try:
        return CHECKS[name](raw)
    except ValueError as error:
        message = str(error)
        joined = f"{name} {message}" if message == "is empty" else f"{name}: {message}"
        raise ConfigError(f"{where}: {joined}") from None


def read_file(path: Path) -> tuple[bool, dict[str, Any], dict[str, str]]:
    """(exists, settings, keys) of the file; ConfigError names the first problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return False, {}, {}
    except OSError as error:
        raise ConfigError(f"pmtui: cannot read the config file {path}: {error.strerror or error}") from None
    import tomllib  # only when there is a file to read: most commands run without one

    where = f"pmtui: config {path}"
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: not valid TOML: {error}") from None
    settings: dict[str, Any] = {}
    keys: dict[str, str] = {}
    for name, raw in document.items():
        if name == "keys":
            if not isinstance(raw, dict):
                raise ConfigError(f"{where}: keys must be a table ([keys]) of binding id = \"key\"")
            for binding, key in raw.items():
                if not isinstance(key, str) or not key.strip():
                    raise ConfigError(f"{where}: keys.{binding} must be a key name such as \"ctrl+h\" "
                                      f"(several: \"ctrl+h,left\"), got {key!r}")
                keys[binding] = key.strip()
            continue
        if name not in CHECKS:
            raise ConfigError(f"{where}: unknown key {name!r} (known: {', '.join(SETTINGS)}, [keys])")
        settings[name] = _checked(name, raw, where)
    return True, settings, keys


def load(flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in force: ``flags`` (name -> value given on the command line, None if not)
    beat the environment, which beats the file, which beats the defaults."""
    env = os.environ if environ is None else environ
    path = config_path(env)
    exists, from_file, keys = read_file(path)
    settings = Settings(path, exists, keys=keys)
    flags = flags or {}
    for name in SETTINGS:
        flag = flags.get(name)
        if flag is not None:
            settings.values[name] = Value(_checked(name, flag, f"pmtui: --{name.replace('_', '-')}"),
                                          f"flag --{name.replace('_', '-')}")
        elif env.get(ENVIRONMENT[name]):
            variable = ENVIRONMENT[name]
            settings.values[name] = Value(_checked(name, env[variable], f"pmtui: {variable}"), f"env {variable}")
        elif name in from_file:
            settings.values[name] = Value(from_file[name], "file")
        else:
            settings.values[name] = Value(DEFAULTS[name], "default")
    return settings


def apply_timezone(settings: Settings) -> None:
    """Show and read times in the configured zone: the whole process's local time becomes it
    (every ``astimezone()`` and ``fromtimestamp()`` follows TZ)."""
    zone = settings.get("timezone")
    if zone and settings.values["timezone"].source != "default" and os.environ.get("TZ") != zone:
        import time

        os.environ["TZ"] = zone
        time.tzset()
