"""margin's terminal front end: the Textual app, its screens and widgets, and the CLI."""
