"""``pmtui user``: who may log in over SSH and in which role; ``pmtui serve``: the SSH server."""

from __future__ import annotations

import argparse

from pmtui.service import team
from pmtui.cli.common import command, emit, group, reason, table
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench

ROLES = "viewer, editor or admin"


def _member_dict(member: team.Member) -> dict[str, object]:
    return {"name": member.name, "role": member.role, "keys": list(member.keys), "fingerprints": member.fingerprints}


def _a(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


def add(args: argparse.Namespace, wb: Workbench) -> None:
    wb.require("admin")  # before reading key files: a refusal says so, not what was wrong with the file
    keys = team.read_key_files(args.key)
    name = team.add_user(wb, args.name, keys, args.role, reason(args))
    member = team.find_member(wb.now, name)
    assert member is not None
    emit(args, f"{name} may log in as {_a(member.role)} with {len(keys)} key{'s' if len(keys) != 1 else ''}",
         _member_dict(member))


def list_users(args: argparse.Namespace, wb: Workbench) -> None:
    found = team.members(wb.now)

    def text() -> str:
        if not found:
            return "no users yet: add one with `pmtui user add NAME --key FILE.pub --role admin`"
        rows = [[m.name, m.role, fp, key.split(" ", 2)[2] if key.count(" ") >= 2 else ""]
                for m in found for fp, key in zip(m.fingerprints, m.keys)]
        return table(rows, ["user", "role", "key", "comment"])

    emit(args, text, [_member_dict(m) for m in found])


def role(args: argparse.Namespace, wb: Workbench) -> None:
    team.set_role(wb, args.name, args.role, reason(args))
    emit(args, f"{args.name.lower()} is now {_a(args.role)}", {"name": args.name.lower(), "role": args.role})


def remove(args: argparse.Namespace, wb: Workbench) -> None:
    team.remove_user(wb, args.name, reason(args))
    emit(args, f"{args.name.lower()} can no longer log in", {"name": args.name.lower(), "removed": True})


def key(args: argparse.Namespace, wb: Workbench) -> None:
    chosen = [bool(args.add), bool(args.replace), bool(args.remove)]
    if sum(chosen) != 1:
        raise UserError("say one of --add FILE, --replace FILE or --remove FINGERPRINT")
    if args.add:
        team.add_keys(wb, args.name, team.read_key_files(args.add), reason(args))
    elif args.replace:
        team.set_keys(wb, args.name, team.read_key_files(args.replace), reason(args))
    else:
        team.remove_key(wb, args.name, args.remove, reason(args))
    member = team.find_member(wb.now, args.name)
    assert member is not None
    emit(args, f"{member.name} has {len(member.keys)} key{'s' if len(member.keys) != 1 else ''}: "
               + ", ".join(member.fingerprints), _member_dict(member))


def authorized_keys(args: argparse.Namespace, wb: Workbench) -> None:
    import os
    import shlex
    import sys
    from pathlib import Path

    from pmtui.ssh.session import session_editor

    for option, value in (("--editor", args.editor), ("--program", args.program)):
        # Each key is one line: a line break would end it early and start a line sshd misreads.
        if value is not None and any(ch in value for ch in "\n\r\0"):
            raise UserError(f"{option} must be one line (it goes into each authorized_keys line)")
    beside = Path(sys.executable).parent / "pmtui"  # the script of this installation
    program = args.program or (shlex.quote(str(beside)) if beside.exists() else
                               shlex.join([sys.executable, "-m", "pmtui.cli"]))
    db = os.path.abspath(wb.location.target) if wb.location.kind == "sqlite" else wb.location.target
    lines = team.authorized_keys(wb.now, program, db, session_editor(args.editor)["EDITOR"])
    emit(args, "\n".join(lines), lines)


def serve(args: argparse.Namespace, wb: Workbench) -> int:
    from pmtui.ssh.server import ServerConfig, run_server

    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be 0-65535 (got {args.port})")
    if args.idle_timeout < 0:
        raise UserError("--idle-timeout must be 0 (never) or a number of seconds")
    for option, value in (("--max-sessions", args.max_sessions),
                          ("--max-sessions-per-user", args.max_sessions_per_user),
                          ("--max-new-sessions-per-minute", args.max_new_sessions_per_minute)):
        if value < 1:
            raise UserError(f"{option} must be at least 1 (got {value})")
    if args.max_team_sessions < 0:
        raise UserError(f"--max-team-sessions must be 0 (no limit) or more (got {args.max_team_sessions})")
    if args.editor is not None and any(ch in args.editor for ch in "\n\r\0"):
        raise UserError("--editor must be one line")
    config = ServerConfig(host=args.host, port=args.port, idle_timeout=args.idle_timeout,
                          host_key=args.host_key, editor=args.editor, max_sessions=args.max_sessions,
                          max_sessions_per_user=args.max_sessions_per_user,
                          max_new_sessions_per_minute=args.max_new_sessions_per_minute,
                          max_team_sessions=args.max_team_sessions,
                          fork_sessions=args.session_start == "fork")
    return run_server(wb, config)


def register(sub: argparse._SubParsersAction) -> None:
    users = group(sub, "user", "who may log in over SSH (`pmtui serve`), with which keys and role")
    p = command(users, "add", add, "let someone log in with their public key(s)", write=True)
    p.add_argument("name", help="their login name (ssh NAME@host)")
    p.add_argument("--key", action="append", required=True, metavar="FILE",
                   help="a public key file (id_ed25519.pub; repeat for more keys)")
    p.add_argument("--role", required=True, choices=["viewer", "editor", "admin"],
                   help="viewer looks, editor changes the product, admin also manages users")
    command(users, "list", list_users, "the users, their roles and key fingerprints")
    p = command(users, "role", role, f"change someone's role ({ROLES})", write=True)
    p.add_argument("name")
    p.add_argument("role", choices=["viewer", "editor", "admin"])
    p = command(users, "remove", remove, "stop someone logging in (their history stays)", write=True)
    p.add_argument("name")
    p = command(users, "key", key, "add, replace or remove someone's public keys", write=True)
    p.add_argument("name")
    p.add_argument("--add", action="append", metavar="FILE", help="add the keys in this file")
    p.add_argument("--replace", action="append", metavar="FILE", help="replace all their keys with these")
    p.add_argument("--remove", metavar="FINGERPRINT", help="remove a key (SHA256:… as `pmtui user list` shows)")

    p = command(users, "authorized-keys", authorized_keys,
                "authorized_keys lines for OpenSSH's sshd instead of `pmtui serve` (see docs/team.md)")
    p.add_argument("--program", metavar="COMMAND", help="the pmtui to run, as shell text (default: this one)")
    p.add_argument("--editor", metavar="COMMAND", help="$EDITOR in sessions (default nano --restricted or none)")

    p = command(sub, "serve", serve, "run the SSH server: each login gets its own pmtui session")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=2222, help="port to listen on (default 2222)")
    p.add_argument("--idle-timeout", type=float, default=1800, metavar="SECONDS",
                   help="end sessions without a keystroke for this long (default 1800; 0 = never)")
    p.add_argument("--host-key", metavar="FILE",
                   help="the server's private host key (made on first start; default next to the store)")
    p.add_argument("--editor", metavar="COMMAND",
                   help="$EDITOR in sessions; it runs as the server's user, so the default is "
                        "`nano --restricted` (if installed) or none")
    p.add_argument("--max-sessions", type=int, default=64, metavar="N",
                   help="sessions open at once on this server, all users together (default 64; each is a process)")
    p.add_argument("--max-sessions-per-user", type=int, default=8, metavar="N",
                   help="sessions one user may have open at once, on all the servers of this store (default 8)")
    p.add_argument("--max-team-sessions", type=int, default=0, metavar="N",
                   help="sessions open at once on all the servers of this store together (default 0: no limit "
                        "beyond each server's --max-sessions)")
    p.add_argument("--max-new-sessions-per-minute", type=int, default=20, metavar="N",
                   help="sessions one user may open within a minute (default 20)")
    p.add_argument("--session-start", choices=["fork", "exec"], default="fork",
                   help="fork: sessions are forked from a process that has pmtui loaded already (default: "
                        "fast, and they share its memory); exec: each session starts Python afresh")
