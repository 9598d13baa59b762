"""SSH load benchmark: N people on one ``pmtui serve``, each moving a card every 2 s.

    python bench/ssh.py [--sessions 10] [--duration 30] [--items 10000] [--start fork|exec]
                        [--dir /tmp/pmtui-ssh-bench]

Everything runs on loopback: a store made by ``pmtui demo --items N`` (built once and kept in
``--dir``, copied for each run; WIP limits lifted so moves are not refused; ``--items 0``: the small
demo plus enough backlog cards to move), one editor per session, the real ``pmtui serve`` process
(sessions forked from its preloaded zygote, or with ``--start exec`` each started afresh), and N
asyncssh clients with a 120x30 PTY each, all connecting at once.
Each session, every 2 s (staggered), goes to the Backlog column (``hhhh``, ``g``), down a few
cards (so sessions mostly pick different cards) and presses ``L``: the card moves to "To do".

Figures:
- first screen: from starting to connect to the board's five column headers drawn (p50/p99);
- change shown: from a move's recorded time (the store's clock; same machine) to the moment each
  *other* session has drawn a board that includes it (p50/p99). Every move only goes right, so
  ``sum(column index * count)`` over the headers a session drew only grows, by one per move: a
  session has shown move k once that sum reaches its value after move k;
- not shown: (move, session) pairs a session had still not drawn when the run ended (after a
  settling time); must be 0;
- events lost: moves a session showed as made ("AC-12 → To do") and never said were put back
  ("AC-12 stays in Backlog": a move is drawn at once, then written) that are not in the log;
  must be 0. Moves refused because another session moved that card first are counted apart;
- memory: the server, its zygote and every session process, peak of the sum over the run (RSS,
  and PSS, which counts shared pages once: the fairer total); PSS per session beyond the server and
  zygote; and the whole machine's used memory (MemTotal - MemAvailable) over what it was before the
  server started (other work on the machine counts in it too);
- CPU: seconds used by the server, by the zygote and sessions, and by the clients (this
  process); and the median CPU of a session process once every session had drawn its first screen
  (what starting one costs, whatever the load: first-screen times under load follow from it);
  the sessions' CPU from the first move to the end of the settling time over moves x sessions
  (what noticing and drawing a change costs a session, one's own keys and moves included: robust
  to the machine's load, unlike the times), beside what watching alone costs (5 s, nobody moving);
- the floor: a bare ``python`` + sqlite3 + msgspec process doing one insert (as bench/core.py),
  timed in the same run, before and after the sessions; first-screen times are also given as a
  multiple of it. The load average is printed beside.
- refusals: sessions that never got a screen, and ``limit_hit`` lines in the server's log.

The clients run in this process and compete with the server for the same cores: on a small
machine the figures include that load.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncssh  # noqa: E402

from pmtui.service import team  # noqa: E402
from pmtui.service.demo import generate  # noqa: E402
from pmtui.service.workbench import Workbench  # noqa: E402

COLUMNS = ["Backlog", "To do", "In progress", "Review", "Done"]
HEADER = re.compile(r" (Backlog|To do|In progress|Review|Done) (\d+)")
CONFIRMED = re.compile(r"([A-Z][A-Z0-9]*-\d+) → To do")
# A move is drawn (and said) at once, then written: a refused one is put back and said so.
TAKEN_BACK = re.compile(r"([A-Z][A-Z0-9]*-\d+) stays in ")
ANSI = re.compile(rb"\x1b(\[[0-9;?<=>$]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Z]|[=>])")
SIZE = (120, 30)
MOVE_EVERY = 2.0
CONNECT_TIMEOUT = 120.0
SETTLE = 10.0  # after the last move: how long sessions get to draw what they have not yet
IDLE = 5.0  # seconds with every session on its first screen and nobody moving: what watching costs


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# The store ---------------------------------------------------------------------------------------
def demo_store(folder: Path, items: int) -> Path:
    """``pmtui demo --items N``, built once and kept (it takes a while at 10k items)."""
    kept = folder / f"demo-{items}.db"
    if not kept.exists():
        t0 = time.perf_counter()
        partial = folder / f"demo-{items}.partial.db"
        partial.unlink(missing_ok=True)
        subprocess.run([sys.executable, "-m", "pmtui.cli", "demo", "--items", str(items), "--db", str(partial),
                        "--actor", "bench"], check=True, stdout=subprocess.DEVNULL)
        partial.rename(kept)
        print(f"built {kept} in {time.perf_counter() - t0:.0f} s")
    return kept


def build_store(folder: Path, sessions: int, items: int, cards: int
                ) -> tuple[str, list[tuple[str, asyncssh.SSHKey]]]:
    run_dir = folder / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    db = str(run_dir / "bench.db")
    if items:
        shutil.copyfile(demo_store(folder, items), db)
    wb = Workbench(db=db, actor="bench")
    try:
        if not items:
            generate(wb)
        board = wb.board()
        for column in board.columns:
            if column.get("wip") is not None:
                wb.set_wip_limit(column["name"], None)
        for n in range(cards):
            wb.add_item(f"Bench card {n:04d}")
        users = []
        for n in range(sessions):
            key = asyncssh.generate_private_key("ssh-ed25519")
            name = f"bench{n:03d}"
            team.add_user(wb, name, [key.export_public_key().decode().strip()], "editor")
            users.append((name, key))
        return db, users
    finally:
        wb.close()


FLOOR = """
import sqlite3, msgspec, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("CREATE TABLE IF NOT EXISTS t (x BLOB)")
conn.execute("INSERT INTO t VALUES (?)", [msgspec.json.encode({"a": 1})])
conn.commit()
"""


def floor(folder: Path, runs: int = 5) -> float:
    """Median wall time of the floor process (see the module's doc)."""
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR, str(folder / "floor.db")], check=True)
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls)


def load_average() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def system_used_mb() -> float:
    fields = {}
    with open("/proc/meminfo") as meminfo:
        for row in meminfo:
            name, value = row.split(":", 1)
            fields[name] = int(value.split()[0])
    return (fields["MemTotal"] - fields["MemAvailable"]) / 1024


# The server --------------------------------------------------------------------------------------
@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    log: Path


def start_server(folder: Path, db: str, sessions: int, start: str) -> Server:
    log = folder / "serve.log"
    env = {**os.environ, "PMTUI_DB": db, "XDG_DATA_HOME": str(folder / "data"), "HOME": str(folder)}
    limits = ["--max-sessions", str(sessions + 5), "--max-new-sessions-per-minute", "5", "--session-start", start]
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "pmtui.cli", "serve", "--port", "0", *limits],
                                   env=env, stdout=subprocess.PIPE, stderr=out, text=True)
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.search(r"over SSH on 127\.0\.0\.1:(\d+)", first)
    if not match:
        process.kill()
        raise SystemExit(f"the server did not start: {first!r}\n{log.read_text()}")
    if start == "fork":
        # A server is up long before people log in: the zygote has loaded pmtui by then.
        deadline = time.time() + CONNECT_TIMEOUT
        while "zygote_ready" not in log.read_text(errors="replace"):
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit(f"the zygote did not come up:\n{log.read_text()}")
            time.sleep(0.1)
    return Server(process, int(match.group(1)), log)


def stop_server(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def process_tree(pid: int) -> dict[int, int]:
    """``pid`` and every process under it (forked sessions are the zygote's children), each with
    its parent."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = {pid: 0}, [pid]
    while todo:
        parent = todo.pop()
        for child in children.get(parent, []):
            tree[child] = parent
            todo.append(child)
    return tree


def descendants(pid: int) -> list[int]:
    return list(process_tree(pid))


def memory_of(pid: int) -> tuple[float, float]:
    """(RSS MB, PSS MB) of one process (0, 0 once it is gone)."""
    rss = pss = 0.0
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for row in rollup:
                if row.startswith("Rss:"):
                    rss = int(row.split()[1]) / 1024
                elif row.startswith("Pss:"):
                    pss = int(row.split()[1]) / 1024
    return rss, pss


TICK = os.sysconf("SC_CLK_TCK")


def cpu_of_tree(pid: int, seen: dict[int, float]) -> None:
    """CPU seconds (user + system) of ``pid`` and every process under it, into ``seen`` (the last
    figure of a process that has ended stays)."""
    for p in descendants(pid):
        with contextlib.suppress(OSError, ValueError):
            with open(f"/proc/{p}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            seen[p] = (int(fields[11]) + int(fields[12])) / TICK


def zygotes_in(tree: dict[int, int], server_pid: int) -> set[int]:
    found = set()
    for p, parent in tree.items():
        if parent != server_pid:
            continue  # sessions are forked from the zygote: they share its command line
        with contextlib.suppress(OSError):
            with open(f"/proc/{p}/cmdline", "rb") as cmdline:
                if b"pmtui.ssh.zygote" in cmdline.read():
                    found.add(p)
    return found


def session_cpu(server_pid: int) -> dict[int, float]:
    """CPU seconds each session process (by pid) has used so far."""
    tree = process_tree(server_pid)
    cpu: dict[int, float] = {}
    cpu_of_tree(server_pid, cpu)
    skip = zygotes_in(tree, server_pid) | {server_pid}
    return {p: v for p, v in cpu.items() if p not in skip}


def memory_of_tree(pid: int) -> dict[str, float]:
    """RSS and PSS (MB) of the server, its zygote and the sessions, and how many sessions."""
    tree = process_tree(pid)
    pids = list(tree)
    zygotes = zygotes_in(tree, pid)
    out = {"rss": 0.0, "pss": 0.0, "base_pss": 0.0, "processes": float(len(pids)), "sessions": 0.0}
    for p in pids:
        rss, pss = memory_of(p)
        out["rss"] += rss
        out["pss"] += pss
        if p == pid or p in zygotes:
            out["base_pss"] += pss
        elif rss:
            out["sessions"] += 1
    return out


# A client ----------------------------------------------------------------------------------------
@dataclass
class Client:
    name: str
    key: asyncssh.SSHKey
    index: int
    counts: dict[str, int] = field(default_factory=dict)
    first_screen: float | None = None  # seconds from connecting
    shown: list[tuple[float, int]] = field(default_factory=list)  # (time, running max of the sum)
    confirmed: set[str] = field(default_factory=set)
    taken_back: set[str] = field(default_factory=set)
    attempts: int = 0
    error: str = ""
    _tail: bytes = b""

    def potential(self) -> int | None:
        if len(self.counts) < len(COLUMNS):
            return None
        return sum(i * self.counts[c] for i, c in enumerate(COLUMNS))

    def take(self, data: bytes, start: float) -> None:
        now = time.time()
        text = ANSI.sub(b"", self._tail + data).decode("utf-8", errors="replace")
        # Kept to join what a read cut in two; from an escape's start, so that no half escape
        # ("2;80H" before "AC-12") is taken for text.
        tail = data[-400:]
        escape = tail.find(b"\x1b")
        self._tail = tail[escape:] if escape > 0 else tail
        for column, count in HEADER.findall(text):
            self.counts[column] = int(count)
        self.confirmed.update(CONFIRMED.findall(text))
        self.taken_back.update(TAKEN_BACK.findall(text))
        value = self.potential()
        if value is None:
            return
        if self.first_screen is None:
            self.first_screen = now - start
        if not self.shown or value > self.shown[-1][1]:
            self.shown.append((now, value))

    def seen_at(self, value: int) -> float | None:
        """When this session first drew a board whose sum reached ``value``."""
        at = bisect.bisect_left([v for _, v in self.shown], value)
        return self.shown[at][0] if at < len(self.shown) else None


async def run_client(client: Client, clients: int, port: int, go: asyncio.Event, stop_at: list[float]) -> None:
    start = time.time()
    try:
        conn = await asyncio.wait_for(asyncssh.connect(
            "127.0.0.1", port, username=client.name, client_keys=[client.key], known_hosts=None,
            agent_path=None), CONNECT_TIMEOUT)
    except (OSError, asyncssh.Error, asyncio.TimeoutError) as error:
        client.error = f"connect: {error}"
        return
    async with conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=SIZE, encoding=None)

        async def read() -> None:
            while True:
                data = await process.stdout.read(65536)
                if not data:
                    return
                client.take(data, start)

        reader = asyncio.get_running_loop().create_task(read())
        await go.wait()
        if client.first_screen is None:
            client.error = "no screen before the moves began"
        else:
            # Staggered, so the moves of all sessions spread over the 2 s.
            await asyncio.sleep(MOVE_EVERY * client.index / clients)
            while time.time() < stop_at[0]:
                process.stdin.write(("hhhhg" + "j" * (client.index % 8) + "L").encode())
                client.attempts += 1
                await asyncio.sleep(MOVE_EVERY)
        await asyncio.sleep(max(0.0, stop_at[0] + SETTLE - time.time()))
        process.stdin.write(b"q")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(process.wait_closed(), 10)
        reader.cancel()


async def run(sessions: int, duration: float, port: int, users: list[tuple[str, asyncssh.SSHKey]],
              server_pid: int) -> tuple[list[Client], float, dict[str, float]]:
    clients = [Client(name, key, n) for n, (name, key) in enumerate(users)]
    go = asyncio.Event()
    stop_at = [float("inf")]
    peak = {"rss": 0.0, "pss": 0.0, "base_pss": 0.0, "processes": 0.0, "sessions": 0.0, "system": 0.0}
    cpu: dict[int, float] = {}
    clients_cpu = time.process_time()
    sampling = True

    async def sample() -> None:
        while sampling:
            await asyncio.to_thread(cpu_of_tree, server_pid, cpu)
            now = await asyncio.to_thread(memory_of_tree, server_pid)
            if now["pss"] > peak["pss"]:
                peak.update(now)
            peak["system"] = max(peak["system"], system_used_mb())
            await asyncio.sleep(1.0)

    sampler = asyncio.get_running_loop().create_task(sample())
    tasks = [asyncio.get_running_loop().create_task(run_client(c, len(clients), port, go, stop_at)) for c in clients]
    deadline = time.time() + CONNECT_TIMEOUT
    while time.time() < deadline and not all(c.first_screen is not None or c.error for c in clients):
        await asyncio.sleep(0.2)
    # What starting cost each session: its CPU once every session has drawn its first screen
    # (those that finished early have idled since, checking for changes: a little more).
    at_screens = await asyncio.to_thread(session_cpu, server_pid)
    peak["cpu_to_screens"] = statistics.median(at_screens.values() or [float("nan")])
    # Nobody moves for IDLE seconds: the sessions only watch the store.
    await asyncio.sleep(IDLE)
    idle_end = await asyncio.to_thread(session_cpu, server_pid)
    peak["cpu_idle"] = sum(idle_end.get(p, 0.0) - v for p, v in at_screens.items()) / max(1, len(at_screens)) / IDLE
    started = time.time()
    stop_at[0] = started + duration
    go.set()
    # The sessions' CPU from the first move until the settling time ends (before they quit): what
    # noticing and drawing others' changes (and making one's own) costs, per change and session.
    moved = asyncio.get_running_loop().create_task(asyncio.sleep(duration + SETTLE - 1))
    await asyncio.wait([moved, *tasks], timeout=duration + SETTLE + 60, return_when=asyncio.FIRST_COMPLETED)
    at_end = await asyncio.to_thread(session_cpu, server_pid)
    peak["cpu_moving"] = sum(at_end.get(p, v) - v for p, v in idle_end.items())
    peak["cpu_moving_seconds"] = duration + SETTLE - 1
    await asyncio.wait(tasks, timeout=duration + SETTLE + 60)
    sampling = False
    sampler.cancel()
    peak["cpu_server"] = cpu.get(server_pid, 0.0)
    peak["cpu_sessions"] = sum(v for p, v in cpu.items() if p != server_pid)
    peak["cpu_clients"] = time.process_time() - clients_cpu
    return clients, started, peak


def report(clients: list[Client], started: float, peak: dict[str, float], db: str, server: Server,
           sessions: int, duration: float, floors: tuple[float, float], system_before: float) -> None:
    wb = Workbench(db=db, actor="bench")
    try:
        keys = {item_id: item.key for item_id, item in wb.now.items.items()}
        moves = [r for r in wb.records() if r.name == "WorkItem.Moved" and r.recorded >= started - 1]
        base = sum(i * sum(1 for it in wb.now.items.values() if it.status == c and not it.archived)
                   for i, c in enumerate(COLUMNS))
    finally:
        wb.close()
    # The sum after each move, counted back from the final state (every move goes right).
    index = {c: i for i, c in enumerate(COLUMNS)}
    steps = [index[r.data["changes"]["status"][1]] - index[r.data["changes"]["status"][0]] for r in moves]
    after: list[int] = []
    value = base - sum(steps)
    for step in steps:
        value += step
        after.append(value)
    latencies: list[float] = []
    not_shown = 0
    for record, value in zip(moves, after):
        for client in clients:
            if client.name == record.actor or client.first_screen is None:
                continue
            seen = client.seen_at(value)
            if seen is None:
                not_shown += 1
            else:
                latencies.append(max(0.0, seen - record.recorded))
    recorded_by: dict[str, set[str]] = {}
    for record in moves:
        recorded_by.setdefault(record.actor, set()).add(keys.get(record.aggregate_id, "?"))
    # Lost: said on screen to have moved, never said to be put back, and not in the log.
    lost = sum(len(c.confirmed - c.taken_back - recorded_by.get(c.name, set())) for c in clients)
    taken_back = sum(len(c.taken_back) for c in clients)
    attempts = sum(c.attempts for c in clients)
    firsts = [c.first_screen for c in clients if c.first_screen is not None]
    failed = [c for c in clients if c.first_screen is None]
    limit_hits = server.log.read_text(errors="replace").count("limit_hit ")
    floor_s = min(floors)
    print(f"sessions {sessions}, moves every {MOVE_EVERY:g} s for {duration:g} s")
    print(f"floor             {floors[0] * 1000:.0f} ms before, {floors[1] * 1000:.0f} ms after "
          "(python + sqlite3 + msgspec, one insert: median of 5)")
    p50, p99 = percentile(firsts, 50), percentile(firsts, 99)
    print(f"first screen      p50 {p50:6.2f} s   p99 {p99:6.2f} s   ({len(firsts)}/{sessions} sessions; "
          f"{p50 / floor_s:.0f}x / {p99 / floor_s:.0f}x the floor)")
    print(f"change shown      p50 {percentile(latencies, 50) * 1000:6.0f} ms  p99 "
          f"{percentile(latencies, 99) * 1000:6.0f} ms  ({len(latencies)} move x session pairs)")
    print(f"moves             {attempts} tried, {len(moves)} recorded, {attempts - len(moves)} refused "
          f"(the card had moved, or a key landed while the screen was redrawing)")
    confirmed = sum(len(c.confirmed) for c in clients)
    missing = sorted(f"{key} ({c.name})" for c in clients
                     for key in c.confirmed - c.taken_back - recorded_by.get(c.name, set()))
    print(f"not shown         {not_shown}   events lost {lost} (of {confirmed} moves shown on screen; "
          f"{taken_back} shown, then refused and put back, saying so)"
          + (f": {', '.join(missing[:5])}" if missing else ""))
    per_session = (peak["pss"] - peak["base_pss"]) / max(1.0, peak["sessions"])
    print(f"server memory     peak PSS {peak['pss']:7.0f} MB (RSS {peak['rss']:.0f} MB) in "
          f"{peak['processes']:.0f} processes ({peak['sessions']:.0f} sessions); server + zygote PSS "
          f"{peak['base_pss']:.0f} MB, PSS per session {per_session:.0f} MB")
    print(f"CPU               server {peak['cpu_server']:.0f} s, zygote and sessions {peak['cpu_sessions']:.0f} s, "
          f"the clients (this process) {peak['cpu_clients']:.0f} s; a session until all had their first "
          f"screen: {peak['cpu_to_screens']:.2f} s (median)")
    # Each recorded move is drawn by every other session (and made by one): the sessions' CPU while
    # moving, less what watching costs anyway, over moves x sessions.
    drawn = max(1, len(moves) * sessions)
    watching = peak["cpu_idle"] * sessions * peak["cpu_moving_seconds"]
    print(f"CPU per change    {peak['cpu_moving'] / drawn * 1000:.1f} ms per session per move "
          f"({(peak['cpu_moving'] - watching) / drawn * 1000:.1f} ms beyond watching; sessions used "
          f"{peak['cpu_moving']:.1f} s over {peak['cpu_moving_seconds']:.0f} s for {len(moves)} moves); "
          f"watching with no change: {peak['cpu_idle'] * 1000:.1f} ms a second per session")
    print(f"whole machine     used memory peak {peak['system']:.0f} MB, {peak['system'] - system_before:+.0f} MB "
          "over before the server started (other processes on the machine count in it)")
    print(f"refusals          {len(failed)} sessions without a screen, {limit_hits} limit_hit in the log"
          + "".join(f"\n  {c.name}: {c.error}" for c in failed[:5]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of moving (default 30)")
    parser.add_argument("--items", type=int, default=10000,
                        help="the store: pmtui demo --items N (default 10000; 0: the small demo)")
    parser.add_argument("--cards", type=int, default=-1,
                        help="extra backlog cards (default: none on a --items store, else enough for every move)")
    parser.add_argument("--start", choices=["fork", "exec"], default="fork",
                        help="how the server starts sessions (pmtui serve --session-start)")
    parser.add_argument("--dir", default="/tmp/pmtui-ssh-bench")
    args = parser.parse_args()
    if not 1 <= args.sessions <= 200 or not 1 <= args.duration <= 600 or args.items < 0:
        print("pmtui bench: --sessions 1-200, --duration 1-600, --items 0 or more", file=sys.stderr)
        return 2
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    if args.cards >= 0:
        cards = args.cards
    else:
        cards = 0 if args.items else int(args.sessions * args.duration / MOVE_EVERY) + 20
    t0 = time.perf_counter()
    db, users = build_store(folder, args.sessions, args.items, cards)
    print(f"store: {'demo --items ' + str(args.items) if args.items else 'small demo'} + {cards} cards, "
          f"{args.sessions} users ({time.perf_counter() - t0:.1f} s to prepare); sessions by {args.start}")
    before = floor(folder)
    print(f"load average before: {load_average()}")
    system_before = system_used_mb()
    server = start_server(folder / "run", db, args.sessions, args.start)
    try:
        clients, started, peak = asyncio.run(run(args.sessions, args.duration, server.port, users,
                                                 server.process.pid))
        print(f"load average at the end: {load_average()}")
    finally:
        stop_server(server)
    after = floor(folder)
    report(clients, started, peak, db, server, args.sessions, args.duration, (before, after), system_before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
