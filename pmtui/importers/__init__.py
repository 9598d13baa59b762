"""Bringing a team's past along: Trello board exports, Jira issues with their changelog, and CSV.

Each importer reads and validates the whole file into an ``ImportPlan`` (``plan.py``) first, then
``apply_plan`` (``apply.py``) replays it through ordinary Workbench commands at the original times.
"""
