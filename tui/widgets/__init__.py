"""margin's widgets: the article view, the notes pane, the status line and the search bar."""
