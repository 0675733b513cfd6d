"""Fusing reports into events: clustering by time, place and kind, and analysts' decisions."""
