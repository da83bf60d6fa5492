"""margin's headless core: documents, the store and text boundaries, with no terminal in sight."""

__version__ = "0.1.0"
