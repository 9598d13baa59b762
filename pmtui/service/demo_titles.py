"""Titles for the items of ``pmtui demo --items N``: what a product team's backlog reads like
("Retry failed card payments at checkout", "Crash on opening the basket on Android"), so a
workspace at scale is one a person can search, read and try the TUI on. Made from the item's
number by arithmetic (no random draws: the demo's random stream, and so its history, stays the
same, and a title costs well under a microsecond)."""

from __future__ import annotations

_VERBS = ["Add", "Show", "Retry", "Cache", "Export", "Validate", "Speed up", "Redesign", "Log", "Track",
          "Simplify", "Localise", "Paginate", "Archive", "Sync", "Preview", "Filter", "Sort", "Undo",
          "Notify about"]
_THINGS = ["failed card payments", "the order history", "saved addresses", "gift cards", "search results",
           "the product page", "loyalty points", "refunds", "delivery slots", "the basket", "invoices",
           "wish lists", "reviews", "discount codes", "stock levels", "the checkout form", "push messages",
           "account settings", "returns", "the store locator", "seller payouts", "price alerts"]
_PLACES = ["at checkout", "on Android", "on iOS", "in the web shop", "for guests", "for sellers",
           "in the admin", "by email", "in the app", "for business buyers", "offline", "in the API"]
_BUGS = ["Crash on opening {thing}", "Wrong totals in {thing}", "Slow load of {thing}",
         "Duplicate entries in {thing}", "Missing translations in {thing}", "Timeout while saving {thing}"]


def item_title(number: int, kind: str) -> str:
    """A title for item ``number`` of ``kind`` (bugs read as bugs); neighbours differ in every part."""
    thing = _THINGS[(number * 7) % len(_THINGS)]
    place = _PLACES[(number * 5 + number // len(_THINGS)) % len(_PLACES)]
    if kind == "bug":
        return f"{_BUGS[number % len(_BUGS)].format(thing=thing)} {place}"
    verb = _VERBS[(number * 3 + number // len(_PLACES)) % len(_VERBS)]
    return f"{verb} {thing} {place}"


def reworded(title: str, variant: int) -> str:
    """The title as someone sharpened it: its place changed (``variant`` picks which)."""
    for place in _PLACES:
        if title.endswith(" " + place):
            return f"{title[: -len(place)]}{_PLACES[variant % len(_PLACES)]}"
    return title
