"""Imported once by the extraction fork server (`shingikai.sandbox`) before it forks any worker.

Loading GiNZA and the tokenizer here means every worker shares them and starts in
milliseconds. A failure is left for the workers to meet: each then loads lazily and a
document that cannot be extracted fails with the reason.
"""

try:
    from shingikai.sandbox import warm

    warm()
except Exception:  # noqa: S110 - the workers report it, document by document
    pass
