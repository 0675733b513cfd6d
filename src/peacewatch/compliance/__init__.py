"""The ceasefire and agreement compliance engine: obligations in force, judged per observation."""
