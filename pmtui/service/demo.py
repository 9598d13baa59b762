"""A realistic demo workspace, generated as real history: every event is recorded now, with the
time it *occurred* in the demo's story spread over the past weeks (so time travel, charts and
sprint replay have something true to show). Deterministic for a given ``now`` and ``seed``."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone
from typing import Any

from domain.exceptions import NothingChangedError, WipLimitExceededError
from pmtui.service.workbench import Workbench

PO, DEVS = "alice", ["bob", "chen", "dana", "erin"]

EPICS: list[tuple[str, list[tuple[str, str]]]] = [
    ("One-page checkout", [
        ("story", "Single form for address and payment"), ("story", "Inline address validation"),
        ("story", "Remember the last shipping method"), ("bug", "Tax line rounds down on totals over 1000"),
        ("task", "Remove the legacy checkout route"), ("story", "Order summary stays visible while scrolling"),
        ("spike", "Measure drop-off per checkout field"), ("bug", "Coupon field loses focus on mobile Safari"),
        ("story", "Guest checkout without an account"), ("story", "Show delivery date before payment"),
    ]),
    ("Payments v2", [
        ("story", "Apple Pay on the web"), ("story", "Google Pay"), ("story", "Retry a declined card in place"),
        ("task", "Rotate the payment provider's API keys"), ("bug", "3-D Secure pop-up blocked in Firefox"),
        ("spike", "Compare fees of two payment providers"), ("story", "Save cards for next time"),
        ("story", "Refund from the order page"),
    ]),
    ("Search that finds", [
        ("story", "Typo-tolerant product search"), ("story", "Filter by size and colour"),
        ("bug", "Search shows archived products"), ("story", "Recent searches"),
        ("task", "Reindex the catalogue nightly"), ("spike", "Try a vector index for synonyms"),
        ("story", "Search suggestions as you type"),
    ]),
    ("Mobile performance", [
        ("story", "Lazy-load product images"), ("task", "Ship images as AVIF"),
        ("bug", "Layout shift when the cookie banner appears"), ("story", "Prefetch the cart page"),
        ("task", "Budget: 170 KB of JavaScript on the home page"), ("spike", "Profile the product page on a slow phone"),
        ("bug", "Menu janks on Android 12"),
    ]),
    ("Loyalty programme", [
        ("story", "Earn points on every order"), ("story", "Spend points at checkout"),
        ("story", "Points balance in the header"), ("task", "Points ledger table and migration"),
        ("spike", "Legal check of points expiry"), ("story", "Birthday bonus points"),
        ("bug", "Points shown twice after a refund"),
    ]),
    ("Observability", [
        ("task", "Structured logs for the order service"), ("task", "Alert on checkout error rate"),
        ("story", "Dashboard of conversion by device"), ("bug", "Traces lose the user id after login"),
        ("task", "Synthetic check of the checkout every 5 minutes"), ("spike", "Sampling strategy for traces"),
    ]),
]
LABELS = ["checkout", "payments", "search", "mobile", "loyalty", "ops"]
LOOSE = [
    ("bug", "Footer links open in a new tab"), ("task", "Upgrade the web framework"),
    ("story", "Dark mode for the account pages"), ("bug", "Password reset e-mail goes to spam"),
    ("task", "Clean up unused feature flags"), ("story", "Gift wrapping option"),
]


# Customer evidence: who said what, where, on which day of the story (recorded a day or two later),
# and what it was triaged into (an epic title, an item title or a roadmap ref; None: still in the inbox).
CUSTOMERS = {
    "maria": ("Maria Gómez", "Northwind"), "tom": ("Tom Becker", "Northwind"), "priya": ("Priya Shah", "Contoso"),
    "ines": ("Inês Duarte", "Contoso"), "lee": ("Lee Wong", "Fabrikam"), "sara": ("Sara Okafor", "Tailspin"),
    "jon": ("Jon Berg", ""),
}
NOTES: list[tuple[float, str, str, str, str, list[tuple[str, str]]]] = [
    (8, "maria", "support", "Search for 'sneekers' finds nothing. Customers think we don't sell shoes.",
     [("Search that finds", "critical")]),
    (11, "priya", "support", "Our buyers type part numbers with typos and get zero results.",
     [("Typo-tolerant product search", "critical")]),
    (13, "lee", "interview", "I filter by size first, always. Your search doesn't let me.",
     [("Filter by size and colour", "important")]),
    (15, "tom", "support", "Archived products keep showing up in search; people order things we can't ship.",
     [("Search shows archived products", "critical")]),
    (18, "sara", "sales", "Prospect asked whether search understands synonyms (trainers / sneakers).",
     [("Try a vector index for synonyms", "nice to have")]),
    (21, "ines", "support", "Search is the first thing our team complains about every Monday.",
     [("RM-3", "important")]),
    (24, "maria", "survey", "Typos again: 'jaket' gives nothing.", [("Typo-tolerant product search", "critical")]),
    (26, "jon", "survey", "Suggestions as I type would save me a lot of time.",
     [("Search suggestions as you type", "nice to have")]),
    (28, "priya", "sales", "Contoso will renew only if search handles part numbers by Q1.", [("RM-3", "critical")]),
    (12, "tom", "support", "Checkout asks for my address twice.", [("Single form for address and payment", "important")]),
    (16, "maria", "interview", "On my phone the coupon box closes when I tap it.",
     [("Coupon field loses focus on mobile Safari", "critical")]),
    (19, "lee", "survey", "I gave up at the payment step: too many screens.", [("One-page checkout", "important")]),
    (23, "sara", "sales", "Tailspin wants guest checkout for their one-off buyers.",
     [("Guest checkout without an account", "important")]),
    (33, "ines", "support", "Totals over 1000 are off by a cent; finance noticed.",
     [("Tax line rounds down on totals over 1000", "critical")]),
    (36, "jon", "survey", "Show me the delivery date before I pay, please.",
     [("Show delivery date before payment", "nice to have")]),
    (40, "priya", "interview", "Apple Pay would make mobile checkout a one-tap thing for us.",
     [("Apple Pay on the web", "important"), ("RM-2", "important")]),
    (44, "tom", "support", "Declined cards send people back to the start of checkout.",
     [("Retry a declined card in place", "critical")]),
    (47, "lee", "sales", "Fabrikam needs refunds from the order page before they roll out to all stores.",
     [("Refund from the order page", "important")]),
    (31, "maria", "interview", "Product pages take ages on the train; I close the tab.", [("Mobile performance", "critical")]),
    (38, "sara", "support", "The page jumps when the cookie banner shows and I tap the wrong thing.",
     [("Layout shift when the cookie banner appears", "important")]),
    (49, "ines", "survey", "Images load slowly on 4G.", [("Lazy-load product images", "important"), ("RM-6", "important")]),
    (42, "jon", "interview", "I'd come back more often if I earned points.", [("Loyalty programme", "nice to have")]),
    (50, "tom", "sales", "Northwind asks whether points can be spent at checkout.", [("RM-4", "important")]),
    (51, "lee", "interview", "No interest in selling through a marketplace; we have our own shop.", [("RM-5", "nice to have")]),
    (58, "priya", "support", "Search is much better since the typo fix, thanks!", [("Search that finds", "nice to have")]),
    # Still in the inbox: the triage the TUI's Feedback view is for.
    (72, "maria", "support", "The menu stutters on my Android phone.", []),
    (74, "sara", "sales", "Tailspin asks for gift wrapping at checkout for the holidays.", []),
    (76, "jon", "survey", "Dark mode on the account pages, please.", []),
    (78, "priya", "support", "Password reset e-mails land in spam for our buyers.", []),
    (80, "lee", "interview", "I want to save my card for next time.", []),
    (82, "ines", "survey", "Recent searches would help me reorder.", []),
    (84, "tom", "support", "Points showed twice after my refund.", []),
    (85, "maria", "survey", "Filter by colour is missing on the sale page.", []),
    (86, "priya", "sales", "Contoso wants a conversion dashboard by device for their buyers.", []),
    (87, "sara", "support", "The checkout error page gives no reason.", []),
]
PRD_TITLE = "Search that finds: PRD"
PRD_VERSIONS: list[tuple[float, str, str, str]] = [
    (20, "alice", "first draft after the support review", """# Search that finds

## Problem
Customers search, find nothing and leave. Support hears it weekly.

## Goals
- Zero-result searches under 5%
"""),
    (26, "bob", "engineering notes", """# Search that finds

## Problem
Customers search, find nothing and leave. Support hears it weekly.

## Goals
- Zero-result searches under 5%

## Approach
- Typo tolerance in the current index first
- Nightly reindex of the catalogue
"""),
    (30, "alice", "decided: search moves to Now", """# Search that finds

## Problem
Customers search, find nothing and leave. Support hears it weekly, and
complaints doubled this month (Northwind, Contoso, Tailspin).

## Goals
- Zero-result searches under 5%
- Part numbers with one typo are found (Contoso's renewal depends on it)

## Approach
- Typo tolerance in the current index first
- Nightly reindex of the catalogue

## Decision
Moved to **Now** on the roadmap.
"""),
    (50, "chen", "what we learned in Sprint 3", """# Search that finds

## Problem
Customers search, find nothing and leave. Support hears it weekly, and
complaints doubled this month (Northwind, Contoso, Tailspin).

## Goals
- Zero-result searches under 5%
- Part numbers with one typo are found (Contoso's renewal depends on it)

## Approach
- Typo tolerance in the current index first (shipped in Sprint 3)
- Nightly reindex of the catalogue
- Synonyms later: the vector index spike was inconclusive

## Decision
Moved to **Now** on the roadmap.
"""),
    (75, "alice", "results", """# Search that finds

## Problem
Customers searched, found nothing and left.

## Goals
- Zero-result searches under 5% (now 3.8%)
- Part numbers with one typo are found (done)

## Approach
- Typo tolerance in the current index (shipped in Sprint 3)
- Nightly reindex of the catalogue
- Synonyms later: the vector index spike was inconclusive

## Decision
Moved to **Now** on the roadmap; Contoso renewed.
"""),
]


def _evidence(wb: Workbench, at: Callable[..., None], start: datetime, epic_keys: dict[str, str], item_keys: dict[str, str]) -> None:
    """Feedback notes from a handful of customers, triaged into links (most of them), and a PRD of the
    search epic with five versions, the third saved on the day search moved to Now (day 30)."""
    def target(name: str) -> str:
        return name if name.startswith("RM-") else epic_keys.get(name) or item_keys[name]

    # Roadmap items linked to their epics, so the evidence of an epic is the roadmap item's too.
    for ref, epic_title in (("RM-2", "Payments v2"), ("RM-3", "Search that finds"), ("RM-4", "Loyalty programme"),
                            ("RM-6", "Mobile performance")):
        at(_day(start, 6, 10), PO, lambda r=ref, e=epic_title: wb.link_roadmap(r, epic=epic_keys[e]))
    refs: dict[int, str] = {}  # note index -> its reference, known once it is recorded
    for n, (day, who, source, text, links) in enumerate(NOTES):
        customer, company = CUSTOMERS[who]
        said = (start + timedelta(days=day)).date().isoformat()
        heard = _day(start, day + 1 + n % 2, 9.5 + (n % 5) * 0.5)

        def record(n: int = n, t: str = text, c: str = customer, co: str = company, s: str = source,
                   d: str = said) -> None:
            refs[n] = wb.add_note(t, c, co, s, d)
        at(heard, "sam", record)
        for k, (name, importance) in enumerate(links):
            at(heard + timedelta(hours=2, minutes=k), PO, lambda n=n, nm=name, i=importance:
               wb.link_note(refs[n], target(nm), i))
    epic = "Search that finds"
    for number, (day, who, why, text) in enumerate(PRD_VERSIONS, 1):
        if number == 1:
            at(_day(start, day, 11), who, lambda t=text: wb.add_document(PRD_TITLE, "prd", epic_keys[epic], t), why)
        else:
            at(_day(start, day, 15 if day == 30 else 11), who, lambda t=text, b=number - 1:
               wb.edit_document(PRD_TITLE, t, b), why)


def _day(start: datetime, n: float, hour: float = 10.0) -> datetime:
    base = datetime.combine((start + timedelta(days=int(n))).date(), time(0), tzinfo=timezone.utc)
    return base + timedelta(hours=hour + (n - int(n)) * 8)


def generate(wb: Workbench, now: datetime | None = None, seed: int = 14) -> None:
    """Fill an empty store with a product, ~60 items under epics, 3 closed sprints and an active
    one, roadmap decisions with reasons, 2 objectives with check-ins and 3 KPIs over 90 days."""
    rng = random.Random(seed)
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    start = now - timedelta(days=90)
    actions: list[tuple[datetime, int, str, Callable[[], Any], str]] = []
    order = 0

    def at(when: datetime, actor: str, fn: Callable[[], Any], reason: str = "") -> None:
        nonlocal order
        if when <= now:
            actions.append((when, order, actor, fn, reason))
            order += 1

    # Day 0: the product, its KPIs, the first roadmap ideas.
    at(_day(start, 0, 9), PO, lambda: wb.init_product(
        "Acme Shop", "AC", vision="The fastest checkout on the web: buy in under a minute, on any phone.",
        stage="growth", reason="kick-off"))
    kpis = [
        ("Conversion rate", "%", "higher", 3.2, 2.6, 2.4, 2.7, 0.013),
        ("Checkout p95 latency", "ms", "lower", 800, 1300, 1600, 1250, -0.025),
        ("Weekly active buyers", "people", "higher", 12000, 9000, 8000, 9400, 0.02),
    ]
    for name, unit, direction, target, warn, alarm, base, trend in kpis:
        at(_day(start, 0, 9.5), PO, lambda n=name, u=unit, d=direction, t=target, w=warn, a=alarm:
           wb.add_kpi(n, u, d, t, w, a, description=f"{n}, measured daily"))
        value = base
        for day in range(0, 91):
            noise = rng.gauss(0, abs(base) * 0.03)
            value = value * (1 + trend) if day and day % 7 == 0 else value  # trends are weekly
            if name == "Checkout p95 latency" and 40 <= day <= 44:
                noise += 500  # an incident: a breach the dashboard must show
            measured = round(value + noise, 2 if unit == "%" else 0)
            at(_day(start, day, 23.5), "metrics-bot", lambda n=name, v=measured: wb.measure(n, v, source="import"))

    roadmap = [
        ("One-page checkout", "now", "2026-Q4", "in progress"),
        ("Payments v2", "next", "2027-Q1", "planned"),
        ("Search that finds", "next", "2027-Q1", "proposed"),
        ("Loyalty programme", "later", "2027-Q2", "proposed"),
        ("Marketplace for third-party sellers", "later", None, "proposed"),
        ("Mobile performance", "now", "2026-Q4", "planned"),
    ]
    for n, (title, horizon, frame, status) in enumerate(roadmap):
        at(_day(start, 1 + n * 0.1, 11), PO, lambda t=title, h=horizon, f=frame, s=status:
           wb.add_roadmap_item(t, h, f, description=f"{t}: see the epic of the same name.", status=s),
           "from the Q4 planning workshop")

    # Objectives and key results.
    at(_day(start, 2, 10), PO, lambda: wb.add_objective("Make checkout effortless", "2026-Q4", "alice"))
    at(_day(start, 2, 10.2), PO, lambda: wb.add_key_result("O-1", "Checkout conversion", 3.2, 2.7, "%", 0.6))
    at(_day(start, 2, 10.3), PO, lambda: wb.add_key_result("O-1", "Median checkout time", 60, 140, "s", 0.5))
    at(_day(start, 2, 10.4), PO, lambda: wb.add_key_result("O-1", "Payment failures", 1.0, 3.5, "%", 0.5))
    at(_day(start, 2, 11), "bob", lambda: wb.add_objective("Keep the shop fast and up", "2026-Q4", "bob"))
    at(_day(start, 2, 11.2), "bob", lambda: wb.add_key_result("O-2", "Checkout p95 latency", 800, 1250, "ms", 0.7))
    at(_day(start, 2, 11.3), "bob", lambda: wb.add_key_result("O-2", "Uptime", 99.95, 99.5, "%", 0.8))
    for week in range(1, 13):
        day = 2 + week * 7
        progress = min(1.0, week / 12 * rng.uniform(0.7, 1.1))
        at(_day(start, day, 15), PO, lambda p=progress, w=week: wb.check_in(
            "O-1", 1, round(2.7 + 0.5 * p, 2), round(0.5 + 0.3 * p, 2), f"week {w}: steady"))
        at(_day(start, day, 15.1), PO, lambda p=progress: wb.check_in("O-1", 2, round(140 - 70 * p), None, ""))
        at(_day(start, day, 15.2), "bob", lambda p=progress, w=week: wb.check_in(
            "O-2", 1, round(1250 - 380 * p + (300 if w == 6 else 0)), 0.4 if w == 6 else 0.7,
            "incident in week 6" if w == 6 else ""))

    # The backlog: epics and their items, created in the first weeks.
    keys: list[tuple[str, str, float | None]] = []  # (title, kind, points) in creation order
    epic_keys: dict[str, str] = {}
    item_keys: dict[str, str] = {}

    def add(title: str, kind: str, actor: str, when: datetime, **fields: Any) -> None:
        def create() -> None:
            if "parent" in fields and fields["parent"] in epic_keys:
                fields["parent"] = epic_keys[fields["parent"]]
            key = wb.add_item(title, kind=kind, **fields)
            (epic_keys if kind == "epic" else item_keys)[title] = key
        at(when, actor, create)

    n = 0
    for e, (epic, stories) in enumerate(EPICS):
        add(epic, "epic", PO, _day(start, 3 + e * 0.1, 9), labels=[LABELS[e]])
        for kind, title in stories:
            points = rng.choice([1, 2, 3, 3, 5, 5, 8, 13]) if kind != "spike" else rng.choice([1, 2, 3])
            fields: dict[str, Any] = {"parent": epic, "labels": [LABELS[e]], "points": points}
            if rng.random() < 0.6:
                fields["rice"] = {"reach": rng.choice([500, 1000, 4000, 8000]), "impact": rng.choice([0.5, 1, 2, 3]),
                                  "confidence": rng.choice([0.5, 0.8, 1.0]), "effort": max(1, points // 2)}
            if rng.random() < 0.5:
                fields["wsjf"] = {"value": rng.randint(1, 10), "time": rng.randint(1, 10),
                                  "risk": rng.randint(1, 8), "size": max(1, points)}
            fields["moscow"] = rng.choice(["must", "must", "should", "should", "could", "wont"])
            add(title, kind, rng.choice([PO, PO, *DEVS]), _day(start, 4 + n * 0.3, 9 + (n % 7)), **fields)
            keys.append((title, kind, points))
            n += 1
    for kind, title in LOOSE:
        add(title, kind, rng.choice(DEVS), _day(start, 10 + n * 0.2, 14), points=rng.choice([1, 2, 3]))
        keys.append((title, kind, None))
        n += 1

    # Releases.
    at(_day(start, 20, 9), PO, lambda: wb.add_release("1.0", (start + timedelta(days=60)).date().isoformat(),
                                                     "One-page checkout for everyone"))
    at(_day(start, 20, 9.1), PO, lambda: wb.add_release("1.1", (start + timedelta(days=110)).date().isoformat(),
                                                       "Payments v2"))
    # Each release holds its epic's stories (no release is an empty promise), and 1.0 ships on the
    # day the roadmap records it (below: "shipped in 1.0").
    for release, epic in (("1.0", "One-page checkout"), ("1.1", "Payments v2")):
        for n, (_kind, title) in enumerate(dict(EPICS)[epic]):
            at(_day(start, 20, 10 + n * 0.1), PO, lambda t=title, r=release: wb.edit_item(item_keys[t], release=r))
    at(_day(start, 70, 15), PO, lambda: wb.edit_release("1.0", shipped=True), "all of checkout is live")

    # Sprints: four of two weeks; the last one is running now.
    board_columns = ["To do", "In progress", "Review", "Done"]
    sprint_days = [40, 54, 68, 82]
    queue = [t for t, k, _ in keys if k != "epic"]
    carried: list[str] = []
    stage_of: dict[str, int] = {}  # how far along the board each sprint item got (index in board_columns)
    for s, first in enumerate(sprint_days, 1):
        name = f"Sprint {s}"
        goal = ["Checkout on one page, behind a flag", "Pay with a wallet", "Search that forgives typos",
                "Fast on a slow phone"][s - 1]
        sprint_start, sprint_end = _day(start, first, 9), _day(start, first + 13, 17)
        at(_day(start, first - 1, 14), PO, lambda nm=name, g=goal, a=sprint_start, b=sprint_end: wb.plan_sprint(
            nm, g, a.date().isoformat(), b.date().isoformat()))
        picks = carried + queue[: 9 - len(carried)]
        queue = queue[9 - len(carried):]
        for title in picks[len(carried):]:  # carried items arrive with the previous sprint's close
            at(_day(start, first - 1, 15), PO, lambda nm=name, t=title: wb.add_to_sprint(nm, [item_keys[t]]))
        at(sprint_start, PO, lambda nm=name: wb.start_sprint(nm), "team committed at planning")
        if s == 3:  # scope added mid-sprint
            extra = queue.pop(0)
            at(_day(start, first + 4, 11), PO, lambda nm=name, t=extra: wb.add_to_sprint(nm, [item_keys[t]]),
               "urgent: customer escalation")
            picks.append(extra)
        carried = []
        for i, title in enumerate(picks):
            who = DEVS[i % len(DEVS)]
            begin = first + rng.uniform(0, 6)
            reached = stage_of.get(title, 0)
            if not reached:  # a carried-over item goes on from where it stopped
                at(_day(start, begin, 9), who, lambda t=title, w=who: wb.edit_item(item_keys[t], assignee=w))
                at(_day(start, begin, 9.1), who, lambda t=title: wb.move_item(item_keys[t], "To do"))
            day = begin
            finished = True
            for index in range(reached + 1, len(board_columns)):
                day += rng.uniform(1.0, 4.5)
                if day > first + 13 or _day(start, day, 10) > now:
                    finished = False
                    break
                stage_of[title] = index
                at(_day(start, day, 10 + i % 5), who,
                   lambda t=title, st=board_columns[index]: wb.move_item(item_keys[t], st))
            if s == 2 and i == 0:  # re-estimated mid-sprint
                at(_day(start, first + 3, 12), who, lambda t=title: wb.edit_item(item_keys[t], points=8),
                   "bigger than we thought")
            if not finished:
                carried.append(title)
        if first + 13 < 90:
            at(sprint_end, PO, lambda nm=name: wb.close_sprint(nm, "next"), "sprint review")
    # Roadmap decisions over the weeks, each with its reason.
    decisions = [
        (30, "RM-3", {"horizon": "now", "status": "planned"}, "search complaints doubled in support tickets"),
        (45, "RM-4", {"horizon": "next"}, "loyalty pilot approved by the board"),
        (52, "RM-5", {"status": "dropped"}, "no seller demand in interviews; revisit next year"),
        (60, "RM-2", {"timeframe": "2027-Q2"}, "payment provider contract slipped a quarter"),
        (70, "RM-1", {"status": "done"}, "shipped in 1.0"),
        (80, "RM-6", {"status": "in progress"}, "started in Sprint 4"),
    ]
    for day, ref, values, why in decisions:
        at(_day(start, day, 16), PO, lambda r=ref, v=values: wb.decide(r, **v), why)
    at(_day(start, 85, 11), "chen", lambda: wb.comment(item_keys[queue[0]], "Needs a design review first."))
    at(_day(start, 66, 9), PO, lambda: wb.link_roadmap("RM-1", epic=epic_keys["One-page checkout"]))
    at(_day(start, 66, 9.1), PO, lambda: wb.link_roadmap("RM-1", objective="O-1"))
    at(_day(start, 66, 9.2), PO, lambda: wb.link_roadmap("RM-6", objective="O-2"))

    _evidence(wb, at, start, epic_keys, item_keys)

    actions.sort(key=lambda a: (a[0], a[1]))
    for when, _order, actor, fn, reason in actions:
        with wb.recorded_as(actor, when, reason):
            try:
                fn()
            except (WipLimitExceededError, NothingChangedError):
                pass  # the team respects the hard WIP limit: the card waits where it is

