"""Files in and out: survey readers, safe writers, checksums, the stage cache of a run folder."""
