"""Imports into the library: Kindle "My Clippings.txt", Readwise CSV and margin's own JSON."""
