"""The store: the event log (SQLite or PostgreSQL) with its hash chain, the read model's
temporal tables beside it, and the tools that check, back up and describe a store."""
