"""Closing the school year: the pre-closing check, closing and reopening a class's (or the
whole school's) year, and what the pages show about it."""
