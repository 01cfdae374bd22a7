"""Data stage: read and validate Jigsaw-format CSVs, clean text (versioned), de-duplicate, split."""

from cleanspeech.data.io import DataError, read_jigsaw, read_texts, write_csv_atomic
from cleanspeech.data.split import deduplicate, project_split, split_part, train_val_split

__all__ = ["DataError", "read_jigsaw", "read_texts", "write_csv_atomic", "deduplicate", "project_split", "split_part", "train_val_split"]
