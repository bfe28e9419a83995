"""The nightly fetch against a local HTTP server: errors, retries, refusals, the ledger, and source_url."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shingikai.fetch import Source, fetch_all, find_links, read_ledger
from shingikai.warehouse import connect_readonly
from tests.conftest import ROOT, SAMPLES


class Site:
    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.fail_once: set[str] = set()
        self.redirects: dict[str, str] = {}
        self.full_gets: Counter[str] = Counter()
        self.hits: Counter[str] = Counter()


def make_handler(site: Site):  # type: ignore[no-untyped-def]
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):  # type: ignore[no-untyped-def]
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = self.path
            site.hits[path] += 1
            if path in site.redirects:
                self.send_response(302)
                self.send_header("Location", site.redirects[path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path in site.fail_once:
                site.fail_once.discard(path)
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = site.pages.get(path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            site.full_gets[path] += 1
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def server():
    site = Site()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield site, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_find_links_same_host_and_patterns():
    html = '<a href="a.pdf">a</a><a href="/x/b.txt">b</a><a href="http://other.example/c.pdf">c</a><a href="d.html">d</a>'
    links = find_links(html, "http://h.example/dir/index.html", [r"\.pdf$", r"\.txt$"])
    assert links == ["http://h.example/dir/a.pdf", "http://h.example/x/b.txt"]


@pytest.mark.slow
def test_fetch_then_ingest(server, tmp_path):
    site, base = server
    port = base.rsplit(":", 1)[1]
    minutes = (SAMPLES / "kaedehara_2018_08_kaigiroku.txt").read_bytes()
    toshin = (SAMPLES / "shirasagidai_2023_toshin.txt").read_bytes()
    site.pages["/minutes/index.html"] = (
        "<html><body>"
        '<a href="kaedehara_2018_08.txt">会議録</a>'
        '<a href="shirasagidai_2023.txt">答申</a>'
        '<a href="missing.txt">404</a>'
        '<a href="flaky.txt">500 then ok</a>'
        '<a href="elsewhere.txt">redirect away</a>'
        '<a href="huge.txt">huge</a>'
        '<a href="notes.html">not matched</a>'
        "</body></html>"
    ).encode()
    site.pages["/minutes/kaedehara_2018_08.txt"] = minutes
    site.pages["/minutes/shirasagidai_2023.txt"] = toshin
    site.pages["/minutes/flaky.txt"] = minutes + "\n（追記）\n".encode()
    site.fail_once.add("/minutes/flaky.txt")
    site.redirects["/minutes/elsewhere.txt"] = (
        f"http://localhost:{port}/minutes/kaedehara_2018_08.txt"
    )
    site.pages["/minutes/huge.txt"] = b"x" * 300_000
    sources = [Source("testcity", f"{base}/minutes/index.html", [r"\.txt$"], max_bytes=200_000)]
    raw = tmp_path / "raw"

    s1 = fetch_all(sources, raw, delay=0, retries=2, backoff=0.01)
    assert s1.links == 6
    assert s1.downloaded == 3 and s1.changed == 0
    reasons = dict(s1.refused)
    assert "HTTP 404" in reasons[f"{base}/minutes/missing.txt"]
    assert "another host" in reasons[f"{base}/minutes/elsewhere.txt"]
    assert "limit" in reasons[f"{base}/minutes/huge.txt"]
    assert site.hits["/minutes/flaky.txt"] == 2  # the 500, then the retry
    assert (raw / "testcity" / "flaky.txt").read_bytes().endswith("（追記）\n".encode())
    assert not list(raw.rglob("*.part"))
    assert not (raw / "testcity" / "huge.txt").exists()
    ledger = read_ledger(raw)
    assert (
        ledger[f"{base}/minutes/kaedehara_2018_08.txt"]["sha256"]
        == hashlib.sha256(minutes).hexdigest()
    )

    # second run: one document changed, the others did not
    site.pages["/minutes/shirasagidai_2023.txt"] = toshin + "\n以上\n".encode()
    s2 = fetch_all(sources, raw, delay=0, retries=2, backoff=0.01)
    assert site.full_gets["/minutes/kaedehara_2018_08.txt"] == 1  # not downloaded again
    assert site.full_gets["/minutes/flaky.txt"] == 1
    assert site.full_gets["/minutes/shirasagidai_2023.txt"] == 2  # changed: downloaded again
    assert s2.downloaded == 1 and s2.changed == 1 and s2.unchanged == 2
    assert (raw / "testcity" / "shirasagidai_2023.txt").read_bytes().endswith("以上\n".encode())
    old = list((raw / "testcity" / ".versions").iterdir())
    assert len(old) == 1 and old[0].read_bytes() == toshin

    db = tmp_path / "w.ducklake"
    env = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "ingest", str(raw), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "files seen: 3, new: 3" in run.stdout
    con = connect_readonly(db)
    rows = dict(con.execute("SELECT source_path, source_url FROM documents").fetchall())
    con.close()
    assert rows == {
        "raw/testcity/kaedehara_2018_08.txt": f"{base}/minutes/kaedehara_2018_08.txt",
        "raw/testcity/shirasagidai_2023.txt": f"{base}/minutes/shirasagidai_2023.txt",
        "raw/testcity/flaky.txt": f"{base}/minutes/flaky.txt",
    }


def test_retries_exhausted_and_index_failure(server, tmp_path):
    site, base = server
    sources = [Source("nowhere", f"{base}/no-index.html", [r".*"])]
    s = fetch_all(sources, tmp_path / "raw", delay=0, retries=1, backoff=0.01)
    assert s.failed and "404" in s.failed[0][1]
