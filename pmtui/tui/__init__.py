"""The Textual TUI: a screen per view (board, sprint, backlog, roadmap, OKRs, dashboard, history),
switched with digits, all reading the workbench's read model now or as of a past point."""
