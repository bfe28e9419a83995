"""`fetch` against hostile or unlucky servers (issue 13, finding 3), on 127.0.0.1 only.

Long Japanese file names, a server that drips one byte at a time, an index page with too many
links, a Shift_JIS index page, and a sources entry whose name climbs out of raw/.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from shingikai.fetch import Source, fetch_all, load_sources

pytestmark = pytest.mark.timeout(60)


class Pages:
    """What the local server answers: path -> (content type, body); drip paths send slowly."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.drip: set[str] = set()
        self.hits: Counter[str] = Counter()


@pytest.fixture
def site():
    pages = Pages()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):  # type: ignore[no-untyped-def]
            pass

        def do_GET(self) -> None:  # noqa: N802
            pages.hits[self.path] += 1
            content_type, body = pages.pages.get(self.path, ("text/plain", b""))
            self.send_response(200 if self.path in pages.pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for i in range(len(body)) if self.path in pages.drip else [None]:
                    self.wfile.write(body if i is None else body[i : i + 1])
                    self.wfile.flush()
                    if i is not None:
                        time.sleep(0.3)
            except (BrokenPipeError, ConnectionResetError):
                pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield pages, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _index(links: list[str], encoding: str = "utf-8", meta: bool = True) -> bytes:
    head = f'<meta charset="{encoding}">' if meta else ""
    anchors = "".join(f'<a href="{href}">{href}</a>' for href in links)
    return f"<html><head>{head}</head><body>{anchors}</body></html>".encode(encoding)


def _files(raw: Path) -> list[str]:
    return sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file())


def test_a_name_too_long_for_the_file_system_fails_nothing(site, tmp_path: Path):
    pages, base = site
    long_name = "個人情報保護審議会会議録" * 12 + ".txt"  # 433 bytes of UTF-8
    assert len(long_name.encode()) > 255
    pages.pages["/a/index.html"] = ("text/html", _index([long_name, "short.txt"]))
    pages.pages["/a/" + quote(long_name)] = ("text/plain", "会議録".encode())
    pages.pages["/a/short.txt"] = ("text/plain", "答申".encode())
    pages.pages["/b/index.html"] = ("text/html", _index(["next.txt"]))
    pages.pages["/b/next.txt"] = ("text/plain", "諮問".encode())
    sources = [
        Source("first", f"{base}/a/index.html", [r"\.txt$"]),
        Source("second", f"{base}/b/index.html", [r"\.txt$"]),
    ]
    raw = tmp_path / "raw"
    summary = fetch_all(sources, raw, delay=0, retries=0)
    assert summary.downloaded == 3 and not summary.failed, summary.lines()
    files = _files(raw)
    assert "first/short.txt" in files and "second/next.txt" in files, files
    long_saved = [f for f in files if f.startswith("first/") and f != "first/short.txt"]
    assert len(long_saved) == 1 and long_saved[0].endswith(".txt"), files
    assert len(Path(long_saved[0]).name.encode()) <= 255
    assert (raw / long_saved[0]).read_text("utf-8") == "会議録"


def test_a_server_that_drips_is_stopped_by_the_overall_deadline(site, tmp_path: Path):
    pages, base = site
    pages.pages["/index.html"] = ("text/html", _index(["slow.txt", "fine.txt"]))
    pages.pages["/slow.txt"] = ("text/plain", b"x" * 100)  # one byte every 0.3 s: 30 s in all
    pages.drip.add("/slow.txt")
    pages.pages["/fine.txt"] = ("text/plain", "会議録".encode())
    raw = tmp_path / "raw"
    started = time.monotonic()
    summary = fetch_all(
        [Source("city", f"{base}/index.html", [r"\.txt$"])],
        raw,
        delay=0,
        retries=1,
        timeout=5,
        deadline=1.5,
    )
    assert time.monotonic() - started < 10
    assert [u.rsplit("/", 1)[1] for u, _ in summary.refused] == ["slow.txt"]
    assert "took longer than 1.5 s in all" in summary.refused[0][1]
    assert _files(raw) == [".fetch_ledger.json", "city/fine.txt"], "no .part left behind"


def test_links_per_index_page_are_capped(site, tmp_path: Path):
    pages, base = site
    links = [f"doc{i:05d}.txt" for i in range(2000)]
    pages.pages["/index.html"] = ("text/html", _index(links))
    summary = fetch_all(
        [Source("city", f"{base}/index.html", [r"\.txt$"], max_links=5)],
        tmp_path / "raw",
        delay=0,
        retries=0,
    )
    assert sum(n for path, n in pages.hits.items() if path != "/index.html") == 5
    assert summary.links == 5
    assert any("2000 matching links: only the first 5" in r for _, r in summary.refused)


@pytest.mark.parametrize("declared", ["meta", "header", "neither"])
def test_a_shift_jis_index_page_gives_the_right_links(site, tmp_path: Path, declared: str):
    pages, base = site
    name = "令和5年度第2回個人情報保護審議会会議録.txt"
    content_type = "text/html; charset=Shift_JIS" if declared == "header" else "text/html"
    body = _index([name], encoding="shift_jis", meta=declared == "meta")
    if declared != "meta":
        body = body.replace(
            b"<head></head>", "<head><title>会議録の一覧</title></head>".encode("cp932")
        )
    pages.pages["/index.html"] = (content_type, body)
    pages.pages["/" + quote(name)] = ("text/plain", "会議録".encode())
    summary = fetch_all(
        [Source("city", f"{base}/index.html", [r"\.txt$"])], tmp_path / "raw", delay=0, retries=0
    )
    assert summary.downloaded == 1, summary.lines()
    assert _files(tmp_path / "raw") == [".fetch_ledger.json", f"city/{name}"]


@pytest.mark.parametrize("name", ["../../x", "a/../../b", "..", ".hidden", "a\\b", ""])
def test_a_source_name_cannot_leave_raw(tmp_path: Path, name: str):
    sources = tmp_path / "sources.json"
    entry = {"name": name, "index_url": "http://127.0.0.1:9/", "patterns": ["x"]}
    sources.write_text(json.dumps({"sources": [entry]}), "utf-8")
    with pytest.raises(ValueError, match="not a plain folder name"):
        load_sources(sources)
    with pytest.raises(ValueError, match="not a plain folder name"):
        Source(name, "http://127.0.0.1:9/", ["x"])
