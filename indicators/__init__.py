"""Chorus\x27s library: synthetic data, readers and validation, privacy, statistics, disclosure control and publication. No Dagster imports here."""
