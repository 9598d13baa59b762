"""pmtui: the product manager's and agile team's workbench in the terminal."""

__version__ = "0.1.0"
