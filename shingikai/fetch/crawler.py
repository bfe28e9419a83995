"""Nightly fetching: download new or changed council documents from municipal index pages.

`data/sources.toml` lists one `[[source]]` per municipality: `name`, `index_url`,
`patterns` (regexes matched against each link's href) and `max_bytes`. For each
source the index page is read, matching links on the *same host* are kept, and
each is downloaded politely (a delay between requests, retries with exponential
backoff on 5xx and timeouts, a streamed size limit, redirects to another host
refused). A ledger (`<raw>/.fetch_ledger.json`) remembers url -> sha256, ETag,
Last-Modified and saved path, so a known URL is asked for conditionally and not
downloaded again; when its content has changed, the new bytes replace the file
and the previous version moves to `<raw>/<municipality>/.versions/`.
`shingikai.discover.discover` reads the ledger to record each document's source URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from shingikai.hashing import sha256_of
from shingikai.paths import DEFAULT_RAW as DEFAULT_RAW  # re-exported
from shingikai.paths import DEFAULT_SOURCES as DEFAULT_SOURCES  # re-exported

LEDGER_NAME = ".fetch_ledger.json"
USER_AGENT = "shingikai-fetch/0.1 (+research; polite nightly crawler)"


class Refused(Exception):
    """A download we will not make (other host, too big, not found, ...)."""


MAX_LINKS = 1000  # links followed per index page, unless a source says otherwise
DOWNLOAD_DEADLINE_S = 600.0  # one download, retries included, however slowly the server sends
NAME_BYTES = 200  # a saved file's name, in UTF-8 bytes (file systems allow 255; room for suffixes)


@dataclass
class Source:
    name: str
    index_url: str
    patterns: list[str]
    max_bytes: int = 50 * 1024 * 1024
    max_links: int = MAX_LINKS

    def __post_init__(self) -> None:
        check_source_name(self.name)


def check_source_name(name: str) -> None:
    """A municipality's name becomes a folder under `raw`: one plain path component only."""
    if (
        not isinstance(name, str)
        or not name.strip()
        or name in (".", "..")
        or name.startswith(".")
        or any(c in name for c in "/\\\0")
        or len(name.encode("utf-8")) > NAME_BYTES
    ):
        raise ValueError(
            f"sources: name {name!r} is not a plain folder name (no '/', '\\', leading '.', "
            f"or '..'; at most {NAME_BYTES} bytes): it decides where documents are saved under raw/"
        )


@dataclass
class FetchSummary:
    links: int = 0
    downloaded: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # url, reason
    failed: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"links matched: {self.links}, downloaded: {self.downloaded} (of which changed: {self.changed}), "
            f"unchanged: {self.unchanged}, refused: {len(self.refused)}, failed: {len(self.failed)}"
        ]
        out += [f"  refused: {u}: {r}" for u, r in self.refused]
        out += [f"  failed: {u}: {r}" for u, r in self.failed]
        return out


def load_sources(path: Path) -> list[Source]:
    path = Path(path)
    raw = (
        json.loads(path.read_text("utf-8"))
        if path.suffix == ".json"
        else tomllib.loads(path.read_text("utf-8"))
    )
    entries = raw.get("source", raw.get("sources")) or [] if isinstance(raw, dict) else raw
    out = []
    for e in entries:
        pats = e.get("patterns", e.get("link_patterns", []))
        out.append(
            Source(
                name=e["name"],
                index_url=e.get("index_url") or e["url"],
                patterns=[pats] if isinstance(pats, str) else list(pats),
                max_bytes=int(e.get("max_bytes", 50 * 1024 * 1024)),
                max_links=int(e.get("max_links", MAX_LINKS)),
            )
        )
    return out


# ---------------------------------------------------------------- ledger


def ledger_path(raw: Path) -> Path:
    return Path(raw) / LEDGER_NAME


def read_ledger(raw: Path) -> dict[str, dict]:
    p = ledger_path(raw)
    if not p.exists():
        return {}
    return json.loads(p.read_text("utf-8"))


def write_ledger(raw: Path, ledger: dict[str, dict]) -> None:
    p = ledger_path(raw)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps(ledger, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    os.replace(tmp, p)


def urls_by_path(roots: list[Path]) -> dict[Path, str]:
    """Resolved file path -> source URL, from any ledger in a root or its parents (for `discover`)."""
    out: dict[Path, str] = {}
    seen: set[Path] = set()
    for root in roots:
        d = Path(root).resolve()
        d = d if d.is_dir() else d.parent
        for cand in [d, *list(d.parents)[:3]]:
            lp = cand / LEDGER_NAME
            if lp in seen or not lp.exists():
                continue
            seen.add(lp)
            try:
                ledger = json.loads(lp.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            for url, entry in ledger.items():
                if entry.get("path"):
                    out[(cand / entry["path"]).resolve()] = url
    return out


# ---------------------------------------------------------------- links


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for k, v in attrs:
                if k == "href" and v:
                    self.hrefs.append(v.strip())


def find_links(html: str, base_url: str, patterns: list[str]) -> list[str]:
    """Absolute same-host links whose href matches any pattern, in page order, without duplicates.

    Callers cap how many they follow (`Source.max_links`)."""
    parser = _Links()
    parser.feed(html)
    host = urlsplit(base_url).netloc.lower()
    regexes = [re.compile(p) for p in patterns]
    out: list[str] = []
    for href in parser.hrefs:
        if not any(r.search(href) for r in regexes):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if urlsplit(url).scheme not in ("http", "https") or urlsplit(url).netloc.lower() != host:
            continue
        if url not in out:
            out.append(url)
    return out


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_page(body: bytes, content_type: str | None) -> str:
    """An HTML page's text: the charset the server declares, else the page's <meta>, else detected."""
    candidates = []
    if content_type and "charset=" in content_type.lower():
        candidates.append(content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'"))
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii").lower())
    for charset in candidates:
        charset = {"shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932"}.get(charset, charset)
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    from extractors.reading import decode

    try:
        return decode(body)[0]
    except Exception:  # not Japanese text in any encoding we know: keep what UTF-8 can read
        return body.decode("utf-8", "replace")


# ---------------------------------------------------------------- HTTP


class Fetcher:
    """A polite HTTP client: delay between requests, retries with backoff, same-host redirects only."""

    def __init__(
        self,
        delay: float = 1.0,
        retries: int = 3,
        backoff: float = 1.0,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
        deadline: float = DOWNLOAD_DEADLINE_S,
    ):
        self.delay, self.retries, self.backoff = delay, retries, backoff
        self.deadline = deadline
        self.client = client or httpx.Client(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )
        self._last = 0.0

    def close(self) -> None:
        self.client.close()

    def _pause(self) -> None:
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()

    def get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        max_bytes: int | None = None,
        dest: Path | None = None,
    ) -> tuple[int, httpx.Headers, bytes | None, str]:
        """GET with retries. Returns (status, headers, body or None if streamed to dest, final url).

        Raises Refused for another host, over max_bytes, or a 4xx; httpx errors after the last retry.
        """
        attempt = 0
        until = time.monotonic() + self.deadline
        while True:
            try:
                status, hdrs, body, final = self._get_once(
                    url, headers or {}, max_bytes, dest, until
                )
                if status >= 500 and attempt < self.retries:
                    raise _Retry(f"HTTP {status}")
                if status >= 500:
                    raise Refused(f"HTTP {status} after {attempt + 1} attempts")
                return status, hdrs, body, final
            except (_Retry, httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt >= self.retries or time.monotonic() >= until:
                    raise Refused(
                        f"{type(exc).__name__}: {exc} after {attempt + 1} attempts"
                    ) from exc
                time.sleep(self.backoff * (2**attempt))
                attempt += 1

    def _get_once(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int | None,
        dest: Path | None,
        until: float,
    ) -> tuple[int, httpx.Headers, bytes | None, str]:
        host = urlsplit(url).netloc.lower()
        for _hop in range(6):
            self._pause()
            with self.client.stream("GET", url, headers=headers) as resp:
                if resp.status_code == 304:
                    return 304, resp.headers, None, url
                if resp.status_code in (301, 302, 303, 307, 308):
                    target = urljoin(url, resp.headers.get("location", ""))
                    if urlsplit(target).netloc.lower() != host:
                        raise Refused(f"redirect to another host refused: {target}")
                    url = target
                    continue
                if 400 <= resp.status_code < 500:
                    raise Refused(f"HTTP {resp.status_code}")
                if resp.status_code != 200:
                    return resp.status_code, resp.headers, None, url
                length = resp.headers.get("content-length")
                if (
                    max_bytes is not None
                    and length
                    and length.isdigit()
                    and int(length) > max_bytes
                ):
                    raise Refused(f"size {int(length)} bytes over the limit of {max_bytes}")
                return 200, resp.headers, self._read(resp, max_bytes, dest, until), url
        raise Refused("too many redirects")

    def _read(
        self, resp: httpx.Response, max_bytes: int | None, dest: Path | None, until: float
    ) -> bytes | None:
        total = 0
        chunks: list[bytes] = []
        fh = open(dest, "wb") if dest else None
        try:
            for chunk in resp.iter_bytes():  # as it arrives, so the deadline is checked often
                if time.monotonic() > until:
                    raise Refused(
                        f"download took longer than {self.deadline:g} s in all and was stopped "
                        f"({total:,} bytes received)"
                    )
                total += len(chunk)
                if max_bytes is not None and total > max_bytes:
                    raise Refused(f"download passed the limit of {max_bytes} bytes and was stopped")
                if fh:
                    fh.write(chunk)
                else:
                    chunks.append(chunk)
        except BaseException:
            if fh:
                fh.close()
                fh = None
                Path(dest).unlink(missing_ok=True)  # type: ignore[arg-type]
            raise
        finally:
            if fh:
                fh.close()
        return None if dest else b"".join(chunks)


class _Retry(Exception):
    pass


# ---------------------------------------------------------------- fetching

_SAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def _file_name(url: str) -> str:
    """A safe local name for a URL, at most NAME_BYTES bytes of UTF-8 (a cut name gets a hash)."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = _SAFE.sub("_", name).strip("._") or hashlib.sha256(url.encode()).hexdigest()[:16]
    if len(name.encode("utf-8")) <= NAME_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext.encode("utf-8")) > 16:
        stem, ext = name, ""
    tag = "-" + hashlib.sha256(url.encode()).hexdigest()[:8] + ("." + ext if ext else "")
    cut = stem.encode("utf-8")[: NAME_BYTES - len(tag.encode("utf-8"))]
    return cut.decode("utf-8", "ignore") + tag


def fetch_source(
    source: Source,
    raw: Path,
    fetcher: Fetcher,
    ledger: dict[str, dict],
    summary: FetchSummary,
    log=print,
) -> None:  # type: ignore[no-untyped-def]
    raw = Path(raw)
    try:
        _s, headers, body, final = fetcher.get(source.index_url, max_bytes=5 * 1024 * 1024)
        page = decode_page(body or b"", headers.get("content-type"))
        links = find_links(page, final, source.patterns)
    except (Refused, httpx.HTTPError) as exc:
        summary.failed.append((source.index_url, f"index page: {exc}"))
        log(f"{source.name}: index page {source.index_url} failed: {exc}")
        return
    if len(links) > source.max_links:
        reason = (
            f"index page lists {len(links)} matching links: only the first {source.max_links} "
            "are fetched (raise max_links for this source to fetch more)"
        )
        summary.refused.append((source.index_url, reason))
        log(f"{source.name}: {reason}")
        links = links[: source.max_links]
    summary.links += len(links)
    used_paths = {e.get("path") for u, e in ledger.items()}
    for url in links:
        try:
            _fetch_link(source, url, raw, fetcher, ledger, summary, used_paths, log)
        except Exception as exc:  # one bad link fails alone; the next links and sources go on
            for part in (raw / source.name).glob(".*.part"):
                part.unlink(missing_ok=True)
            summary.failed.append((url, f"{type(exc).__name__}: {exc}"))
            log(f"{source.name}: failed {url}: {exc}")


def _fetch_link(
    source: Source,
    url: str,
    raw: Path,
    fetcher: Fetcher,
    ledger: dict[str, dict],
    summary: FetchSummary,
    used_paths: set,
    log,
) -> None:  # type: ignore[no-untyped-def]
    """Download one link into raw/<source>/ (conditionally when known), and update the ledger."""
    entry = ledger.get(url)
    cond: dict[str, str] = {}
    if entry and (raw / entry["path"]).exists():
        if entry.get("etag"):
            cond["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            cond["If-Modified-Since"] = entry["last_modified"]
    if entry:
        rel = entry["path"]
    else:
        name = _file_name(url)
        rel = f"{source.name}/{name}"
        if rel in used_paths:
            stem, dot, ext = name.rpartition(".")
            tag = hashlib.sha256(url.encode()).hexdigest()[:8]
            rel = f"{source.name}/{stem}-{tag}.{ext}" if dot else f"{source.name}/{name}-{tag}"
        used_paths.add(rel)
    target = raw / rel
    (raw / source.name).mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    try:
        status, headers, _b, _final = fetcher.get(
            url, headers=cond, max_bytes=source.max_bytes, dest=tmp
        )
    except (Refused, httpx.HTTPError) as exc:
        tmp.unlink(missing_ok=True)
        summary.refused.append((url, str(exc)))
        log(f"{source.name}: refused {url}: {exc}")
        return
    if status == 304:
        summary.unchanged += 1
        return
    digest = sha256_of(tmp)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if entry and entry.get("sha256") == digest and target.exists():
        tmp.unlink(missing_ok=True)
        summary.unchanged += 1
    else:
        if entry and target.exists():  # keep the previous version out of discover's way
            versions = target.parent / ".versions"
            versions.mkdir(exist_ok=True)
            stem, dot, ext = target.name.rpartition(".")
            old = (
                f"{stem}.{entry.get('sha256', 'old')[:12]}.{ext}"
                if dot
                else f"{target.name}.{entry.get('sha256', 'old')[:12]}"
            )
            os.replace(target, versions / old)
            summary.changed += 1
        os.replace(tmp, target)
        summary.downloaded += 1
        log(f"{source.name}: saved {url} -> {rel}")
    ledger[url] = {
        "municipality": source.name,
        "path": rel,
        "sha256": digest,
        "etag": headers.get("etag"),
        "last_modified": headers.get("last-modified"),
        "size": target.stat().st_size,
        "checked_at": now,
        "fetched_at": now
        if not entry or entry.get("sha256") != digest
        else entry.get("fetched_at", now),
    }
    write_ledger(raw, ledger)


def fetch_all(
    sources: list[Source],
    raw: Path,
    *,
    delay: float = 1.0,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 30.0,
    deadline: float = DOWNLOAD_DEADLINE_S,
    log=print,
) -> FetchSummary:  # type: ignore[no-untyped-def]
    raw = Path(raw)
    raw.mkdir(parents=True, exist_ok=True)
    ledger = read_ledger(raw)
    summary = FetchSummary()
    fetcher = Fetcher(
        delay=delay, retries=retries, backoff=backoff, timeout=timeout, deadline=deadline
    )
    try:
        for source in sources:
            try:
                fetch_source(source, raw, fetcher, ledger, summary, log=log)
            except Exception as exc:  # one municipality's failure does not stop the others
                summary.failed.append((source.index_url, f"{type(exc).__name__}: {exc}"))
                log(f"{source.name}: failed: {exc}")
    finally:
        fetcher.close()
        write_ledger(raw, ledger)
    return summary
