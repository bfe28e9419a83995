"""Extractions travel from the extraction workers pickled by position (`models.records`): the
same objects come back, every field, of every record kind."""

from __future__ import annotations

import dataclasses
import pickle

from extractors.pipeline import extract_bytes
from models.records import TABLE_RECORDS, Extraction
from tests.conftest import SAMPLES


def test_an_extraction_comes_back_whole_and_small():
    path = SAMPLES / "shirasagidai_2023_toshin.txt"
    extraction = extract_bytes(path.read_bytes(), path.name)
    assert extraction.consultations and extraction.evidence and extraction.text is not None
    blob = pickle.dumps(extraction, protocol=5)
    back = pickle.loads(blob)
    assert back == extraction and back is not extraction
    assert back.table_rows() == extraction.table_rows()
    # by position: no field's name is in the pickle of a record
    one = pickle.dumps(extraction.consultations[0], protocol=5)
    assert b"municipality" not in one and b"start_char" not in one


def test_every_record_kind_round_trips_with_none_and_defaults():
    for cls in (*TABLE_RECORDS.values(), Extraction):
        fields = dataclasses.fields(cls)
        values = {f.name: None for f in fields}
        record = cls(**values)
        assert pickle.loads(pickle.dumps(record, protocol=5)) == record, cls.__name__
