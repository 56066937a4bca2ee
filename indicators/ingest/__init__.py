"""Ingest: landed files become validated, pseudonymised raw tables, every row accounted for.

The landing area and the archive, readers, the row rules and their messages, privacy at the
door (pseudonyms, keys), the statutory returns and the voice survey, the reference files,
retention, `chorus validate` and the preflight check of what can be published.
"""
