"""pmtui's domain: aggregates and the events they record. Pure: no I/O, no UI, no clock reads."""
