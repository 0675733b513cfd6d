"""One way in: every input format is read by an adapter and goes through the same pipeline."""
