"""PeaceWatch: the information system of a multinational peace-support operation."""

__version__ = "0.1.0"
