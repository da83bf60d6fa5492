"""margin's built-in themes, shipped as TOML data files beside this module."""
