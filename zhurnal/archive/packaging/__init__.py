"""Archival packages: building each document's files and packaging them in the background."""
