"""margin's screens and dialogs: the reader, the table of contents, help."""
