"""Documents made from what a viewer may see: the SITREP (HTML and PDF)."""
