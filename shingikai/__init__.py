"""The shingikai library: everything between the user's files and the warehouse, without Prefect.

Data flows through it in this order:

- `shingikai.fetch`: download council documents from municipal index pages into `data/raw/`.
- `shingikai.discover`: find the files to ingest and decide which need extracting.
- `shingikai.sandbox`: extract each document (with `extractors`) in a bounded worker process.
- `shingikai.warehouse`: load the records into the DuckLake, a batch per commit; read it back
  (read-only queries, the data dictionary, export).
- `shingikai.evaluation`, `shingikai.search`, `shingikai.show`: what researchers do with it.
- `shingikai.cli`: the `shingikai` command.

Prefect orchestration lives in the `flows` package, which calls this library; nothing here
imports Prefect.
"""
