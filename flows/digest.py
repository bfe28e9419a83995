"""The nightly digest as a Prefect flow: after each ingest, the 諮問 that are new or moved a stage
and match the watch list, as a Markdown artifact of the run and as files (`shingikai.digest`)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from shingikai.digest import write_digest
from shingikai.run_parameters import ParameterRefused

ARTIFACT_KEY = "shingikai-digest"  # the run's artifact; Prefect keeps each night's version


@flow(name="shingikai-digest", log_prints=True, persist_result=False)
def digest_flow(db: str, watch: str, out: str) -> list[str]:
    """Write tonight's digest into `out` and publish it as the run's Markdown artifact."""
    digest = write_digest(Path(db), Path(watch), Path(out))
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=digest.markdown,
        description=f"{len(digest.entries)} 諮問 new or moved a stage matching {watch}",
    )
    line = f"{len(digest.entries)} 諮問 new or moved: {digest.markdown_path}, {digest.html_path}"
    get_run_logger().info(line)
    return [line]


def check_paths(roots: list[Path], **paths: str | None) -> None:
    """ParameterRefused unless each path given (watch list, digest folder) is inside a root."""
    outside = [
        f"{name}={value!r} is outside the allowed roots"
        for name, value in paths.items()
        if value is not None
        and not any(
            Path(value).resolve() == root or Path(value).resolve().is_relative_to(root)
            for root in roots
        )
    ]
    if outside:
        raise ParameterRefused("run refused: " + "; ".join(outside))
