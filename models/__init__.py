"""Typed records, allowed values, vocabularies and the one DDL file of the warehouse."""

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent
DDL_PATH = MODELS_DIR / "schema.sql"
VIEWS_PATH = MODELS_DIR / "views.sql"
DATA_DIR = MODELS_DIR / "data"
