"""Reading one corpus file (Markdown, plain text, HTML, PDF) into titled sections.

Every way a file can be unfit for the index (empty, binary, unreadable, not UTF-8, oversized,
unsupported, a PDF without a text layer) raises `DocumentSkipped` with a reason a practice's IT
person can act on, so one bad file never stops the rest of the corpus from being ingested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES

_HTML_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HTML_BLOCKS = ("p", "li", "td", "th", "pre", "blockquote", "dd", "dt", "figcaption")


class DocumentSkipped(Exception):  # noqa: N818 - it is an outcome, not a failure of ours
    """The file cannot be indexed; `reason` says why in words an operator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Section:
    """A run of body text under one heading path, e.g. ("Fees and Insurance", "Sliding scale")."""

    headings: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class SourceDocument:
    """One corpus file: `name` is its path relative to the corpus folder (what passages cite)."""

    name: str
    title: str
    sections: list[Section]


def read_document(path: Path, name: str, max_bytes: int) -> SourceDocument:
    """Parse `path` by its suffix; raise `DocumentSkipped` if it cannot be indexed."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentSkipped(f"unsupported file type {suffix or '(no extension)'!r}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentSkipped(f"too large: {size:,} bytes (limit {max_bytes:,})")
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentSkipped(f"unreadable: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise DocumentSkipped("empty file")
    fallback_title = _title_from_name(path)
    if suffix in PDF_SUFFIXES:
        sections = _pdf_sections(path, fallback_title)
    else:
        text = _decode_text(raw)
        if suffix in MARKDOWN_SUFFIXES:
            sections = _markdown_sections(text, fallback_title)
        elif suffix in HTML_SUFFIXES:
            sections = _html_sections(text, fallback_title)
        else:
            sections = _plain_sections(text, fallback_title)
    sections = [s for s in sections if s.text.strip()]
    if not sections:
        raise DocumentSkipped("no text to index")
    return SourceDocument(name=name, title=sections[0].headings[0], sections=sections)


def _decode_text(raw: bytes) -> str:
    """Strict UTF-8 (BOM allowed): guessing an encoding could index mojibake as policy text."""
    if b"\x00" in raw[:8192]:
        raise DocumentSkipped("binary content (NUL bytes) in a text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentSkipped(
            f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8"
        ) from exc


def _title_from_name(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip().capitalize() or path.name


def _clean(text: str) -> str:
    """Drop Markdown emphasis markers and collapse runs of blank lines."""
    text = text.replace("**", "").replace("__", "")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _markdown_sections(text: str, fallback_title: str) -> list[Section]:
    """Split at ATX/setext headings found by markdown-it (so '#' inside code is not a heading)."""
    lines = text.splitlines()
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings: list[tuple[int, int, int, str]] = []  # (level, first line, end line, title)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            title = tokens[i + 1].content.strip()
            headings.append((int(token.tag[1]), token.map[0], token.map[1], title))
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    top_title = next((h[3] for h in headings if h[0] == 1), None) or fallback_title
    body_start = 0
    current: tuple[str, ...] = (top_title,)
    for level, start, end, title in headings:
        sections.append(Section(current, _clean("\n".join(lines[body_start:start]))))
        path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
        titles = tuple(t for _, t in path)
        current = titles if titles[0] == top_title else (top_title, *titles)
        body_start = end
    sections.append(Section(current, _clean("\n".join(lines[body_start:]))))
    return sections


def _html_sections(text: str, fallback_title: str) -> list[Section]:
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "header"]):
        tag.decompose()
    title_tag = soup.find("h1") or soup.find("title")
    top_title = title_tag.get_text(" ", strip=True) if title_tag else fallback_title
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    current: tuple[str, ...] = (top_title,)
    body: list[str] = []
    for element in soup.find_all((*_HTML_HEADINGS, *_HTML_BLOCKS)):
        if element.name in _HTML_HEADINGS:
            sections.append(Section(current, _clean("\n".join(body))))
            body = []
            level = int(element.name[1])
            path = [(lvl, t) for lvl, t in path if lvl < level]
            path.append((level, element.get_text(" ", strip=True)))
            titles = tuple(t for _, t in path)
            current = titles if titles[0] == top_title else (top_title, *titles)
        elif not element.find_parent(_HTML_BLOCKS):  # a <p> inside an <li> is read once
            line = element.get_text(" ", strip=True)
            if line:
                body.append(f"- {line}" if element.name == "li" else line)
    sections.append(Section(current, _clean("\n".join(body))))
    return sections


def _plain_sections(text: str, fallback_title: str) -> list[Section]:
    """Plain text has no markup: the first line is the title if it is short, else the file name."""
    lines = text.strip().splitlines()
    first = lines[0].strip()
    if len(lines) > 1 and len(first) <= 80 and not first.endswith((".", ":")):
        return [Section((first,), _clean("\n".join(lines[1:])))]
    return [Section((fallback_title,), _clean(text))]


def _pdf_sections(path: Path, fallback_title: str) -> list[Section]:
    """One section per page (pypdf exposes no reliable heading structure), titled from metadata."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        title = (reader.metadata.title if reader.metadata else None) or fallback_title
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise DocumentSkipped(f"unreadable PDF: {exc}") from exc
    if not any(page.strip() for page in pages):
        raise DocumentSkipped("PDF has no text layer (scanned image?); OCR it first")
    return [
        Section((title.strip(), f"Page {number}"), _clean(page))
        for number, page in enumerate(pages, start=1)
    ]
