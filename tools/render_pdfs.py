"""Render text documents to PDF with other producers than the corpus's (an evaluation aid).

usage: python tools/render_pdfs.py SOURCE_DIR OUT_DIR [RENDERING ...]

The PDF corpus in ../shared was made with ReportLab and LibreOffice from flat
ODT; a document printed by another program lays out the same words with other
fonts, code points, spacing and line breaks. This writes each `SOURCE_DIR/*.txt`
(the seeds' markdown-like text: `#` headings, `- ` bullets, tab-separated table
rows whose cells may hold HTML) as OUT_DIR/RENDERING/STEM.pdf, so
`tools/score_sets.py OUT --folder OUT_DIR/RENDERING GOLD` can score it:

- chromium-pre:   the text in one <pre> (markup removed, tabs kept), printed by headless Chromium
- chromium-html:  headings, lists, paragraphs and bordered tables, printed by headless Chromium
                  with the browser's own header and footer (title, date, URL, page N/M)
- chromium-plain: the same page with tables drawn without rulings, without header and footer
- lo-html:        the page with ruled tables converted by LibreOffice Writer (soffice --convert-to pdf)
- lo-plain:       the page with unruled tables converted by LibreOffice Writer
- lo-text:        the plain text (markup removed) converted by LibreOffice Writer

Needs `chromium` and `soffice` on PATH and a Japanese font (Debian: chromium,
libreoffice-writer-nogui, fonts-ipafont); none of them is a dependency of the
project, and a missing one is named with the renderings it stops.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RENDERINGS = ("chromium-pre", "chromium-html", "chromium-plain", "lo-html", "lo-plain", "lo-text")
TOOL = {r: "chromium" if r.startswith("chromium") else "soffice" for r in RENDERINGS}
RULED = '<table border="1" cellpadding="3">'
UNRULED = '<table cellpadding="3" class="plain">'
STYLE = (
    "@page { size: A4; margin: 20mm 18mm; } "
    "body { font-family: 'IPAMincho', 'IPAexMincho', 'Noto Serif CJK JP', serif; font-size: 10.5pt; } "
    "h1, h2, h3, h4 { font-family: 'IPAGothic', 'IPAexGothic', 'Noto Sans CJK JP', sans-serif; } "
    "pre { font-family: 'IPAGothic', 'IPAexGothic', monospace; white-space: pre-wrap; } "
    "table { border-collapse: collapse; width: 100%; } table:not(.plain) td { border: 1px solid #000; } td { padding: 3px; vertical-align: middle; }"
)
_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(p|li|tr|table|ul|ol|div|br)\b[^>]*>", re.IGNORECASE)


def plain(text: str) -> str:
    """The words without markup: HTML tags become line breaks or go, markdown signs go."""
    text = _BLOCK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    text = re.sub(r"(?m)^[ \t]*#{1,6}[ \t]+", "", text)
    text = re.sub(r"(?m)^([ \t]*)[-*][ \t]+", r"\1", text)
    return re.sub(r"\n{3,}", "\n\n", text)


def page_html(text: str, title: str, *, ruled: bool = True) -> str:
    """Headings, nested lists, paragraphs and bordered tables (tab rows; cells keep their HTML)."""
    body: list[str] = []
    depth = 0  # open <ul> levels
    in_table = False
    for line in text.splitlines():
        bullet = re.match(r"^( *)[-*] (.*)$", line)
        if in_table and "\t" not in line:
            body.append("</table>")
            in_table = False
        if not bullet:
            body.extend(["</ul>"] * depth)
            depth = 0
        if "\t" in line:
            if not in_table:
                body.append(RULED if ruled else UNRULED)
                in_table = True
            cells = [c for c in line.split("\t")]
            while cells and not cells[-1].strip():
                cells.pop()
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            continue
        heading = re.match(r"^(#{1,6}) (.*)$", line)
        if heading:
            level = min(len(heading.group(1)), 4)
            body.append(f"<h{level}>{html.escape(heading.group(2))}</h{level}>")
        elif bullet:
            level = len(bullet.group(1)) // 2 + 1
            body.extend(["<ul>"] * (level - depth) + ["</ul>"] * (depth - level))
            depth = level
            body.append(f"<li>{bullet.group(2)}</li>")
        elif line.strip():
            body.append(f"<p>{line}</p>")
    body.extend(["</ul>"] * depth + (["</table>"] if in_table else []))
    return _page(title, "\n".join(body))


def pre_html(text: str, title: str) -> str:
    return _page(title, f"<pre>{html.escape(plain(text))}</pre>")


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def chromium(source: Path, out: Path, *, header_footer: bool) -> None:
    args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={out}"]
    if not header_footer:
        args.append("--no-pdf-header-footer")
    subprocess.run(args + [source.as_uri()], check=True, capture_output=True, timeout=300)


def soffice(source: Path, out: Path, work: Path) -> None:
    infilter = ["--infilter=HTML (StarWriter)"] if source.suffix == ".html" else []
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless"]
        + infilter
        + ["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    shutil.move(work / (source.stem + ".pdf"), out)


def render(source: Path, rendering: str, out: Path, work: Path) -> None:
    text = source.read_text(encoding="utf-8")
    title = source.stem
    if rendering == "chromium-pre":
        page = work / f"{title}.html"
        page.write_text(pre_html(text, title), encoding="utf-8")
        chromium(page, out, header_footer=False)
    elif rendering == "chromium-html":
        page = work / f"{title}.html"
        page.write_text(page_html(text, title), encoding="utf-8")
        chromium(page, out, header_footer=True)
    elif rendering == "chromium-plain":
        page = work / f"{title}.html"
        page.write_text(page_html(text, title, ruled=False), encoding="utf-8")
        chromium(page, out, header_footer=False)
    elif rendering in ("lo-html", "lo-plain"):
        page = work / f"{title}.html"
        page.write_text(page_html(text, title, ruled=rendering == "lo-html"), encoding="utf-8")
        soffice(page, out, work)
    else:
        page = work / f"{title}.txt"
        page.write_text(plain(text), encoding="utf-8")
        soffice(page, out, work)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    source, out = Path(argv[0]), Path(argv[1])
    wanted = argv[2:] or list(RENDERINGS)
    unknown = [r for r in wanted if r not in RENDERINGS]
    if unknown:
        print(
            f"unknown rendering {', '.join(unknown)}: choose from {', '.join(RENDERINGS)}",
            file=sys.stderr,
        )
        return 2
    missing = sorted({TOOL[r] for r in wanted if shutil.which(TOOL[r]) is None})
    if missing:
        stopped = [r for r in wanted if TOOL[r] in missing]
        print(
            f"missing on PATH: {', '.join(missing)} (needed for {', '.join(stopped)}); "
            "on Debian: apt-get install -y chromium libreoffice-writer-nogui fonts-ipafont",
            file=sys.stderr,
        )
        return 1
    sources = sorted(source.glob("*.txt"))
    if not sources:
        print(f"no .txt documents in {source}", file=sys.stderr)
        return 1
    for rendering in wanted:
        folder = out / rendering
        folder.mkdir(parents=True, exist_ok=True)
        for path in sources:
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    render(path, rendering, folder / f"{path.stem}.pdf", Path(tmp))
                except (subprocess.SubprocessError, OSError) as exc:
                    print(f"{rendering}: {path.name} failed: {exc}", file=sys.stderr)
                    return 1
        print(f"{rendering}: {len(sources)} PDFs in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
