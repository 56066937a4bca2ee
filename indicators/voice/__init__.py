"""What Chorus knows about families' voices: the co-designed item bank, the scrubbing of free
text into quotes (and its word lists), and the restricted follow-up list of families who
asked for help. Used by ingest, publication and the synthetic borough alike."""
