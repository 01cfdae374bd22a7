"""Execution engines beyond one process (edges over :mod:`cleanspeech.pipeline`)."""
