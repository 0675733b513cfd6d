"""The record of NATO's Balkan operations, 1992 on: operations, offices, milestones and the
corrections to popular accounts, every fact with its source (``record`` reads it)."""
