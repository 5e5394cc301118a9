"""Text formats: plain text, Markdown, HTML and CVDR XML (lokaleregelgeving.overheid.nl).

Each reader turns bytes into :class:`~analyzer.ingest.model.Page` objects whose lines
carry what the format says about structure (headings, list items, paragraphs).
XML and HTML are parsed with entity resolution and network access switched off.
"""

from __future__ import annotations

import re

from ..errors import InputError
from .clean import normalize_chars
from .model import Line, Page

_HTML_TAG_LINE = re.compile(r"^\s*(?:<[^<>]+>\s*)+$")
_MD_HEADING = re.compile(r"^(#{1,6})\s*(\S.*)$")
_MD_BULLET = re.compile(r"^\s*(?:(?:[-–*+•]|\d{1,3}[.)])\s+|[-–](?=\*))")
# bold, code, link brackets and the asterisks of *emphasis* (an asterisk that opens or closes a word)
_MD_MARKUP = re.compile(r"(\*\*|__|`|\[(?=[^\]]*\]\()|\]\([^)]*\)|(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*]))")


def decode(data: bytes, *, name: str = "") -> tuple[str, str]:
    """Decode text bytes: BOMs first, then strict UTF-8, then the detected legacy encoding.

    Returns:
        ``(text, encoding)``.

    Raises:
        InputError: for binary data that is no text in any encoding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: binary file, not text (no byte-order mark, NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "iso8859_15", "utf_8"]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace"), encoding


def read_plain(text: str, *, markdown: bool = False) -> list[Page]:
    """Plain text or Markdown; form feeds separate pages, empty lines paragraphs."""
    pages = []
    for number, chunk in enumerate(text.split("\f"), start=1):
        lines: list[Line] = []
        block_start = True
        for raw in chunk.splitlines():
            if not raw.strip():
                block_start = True
                continue
            heading = 0
            list_item = False
            if markdown:
                if _HTML_TAG_LINE.match(raw):  # a stray <meta ...> or <br/>: markup, not text
                    continue
                match = _MD_HEADING.match(raw.strip())
                if match:
                    heading = len(match.group(1))
                    raw = match.group(2)
                elif _MD_BULLET.match(raw):
                    list_item = True
                raw = _MD_MARKUP.sub("", raw)
            cleaned = normalize_chars(raw)
            if cleaned:
                lines.append(Line(cleaned, heading=heading, list_item=list_item,
                                  block_start=block_start or heading > 0 or list_item))
                block_start = heading > 0
        pages.append(Page(number=number, lines=lines, n_chars=len(chunk)))
    return pages


_HTML_BLOCKS = {"p", "li", "td", "th", "dd", "dt", "pre", "blockquote", "caption",
                "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article", "tr"}
_HTML_SKIP = {"script", "style", "noscript", "nav", "header", "footer", "form", "head",
              "template", "svg", "button", "select"}


def read_html(data: bytes) -> tuple[list[Page], str]:
    """HTML (e.g. officielebekendmakingen.nl); returns one page and the <title>."""
    from lxml import html

    try:
        root = html.fromstring(data)
    except Exception as exc:
        raise InputError(f"HTML cannot be parsed: {exc}") from None
    for bad in root.iter(*_HTML_SKIP):
        bad.drop_tree() if bad.getparent() is not None else None
    title = normalize_chars(" ".join(root.xpath("//title//text()")))
    lines: list[Line] = []
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in _HTML_BLOCKS:
            continue
        if any(isinstance(c.tag, str) and c.tag in _HTML_BLOCKS for c in el.iterdescendants()):
            # only the direct text of a container: its block children come on their own
            own = " ".join([el.text or ""] + [c.tail or "" for c in el])
            text = normalize_chars(own)
        else:
            text = normalize_chars(el.text_content())
        if not text:
            continue
        heading = int(tag[1]) if tag in {"h1", "h2", "h3", "h4", "h5", "h6"} else 0
        lines.append(Line(text, heading=heading, list_item=tag == "li", block_start=True))
    return [Page(number=1, lines=lines, n_chars=sum(len(x.text) for x in lines))], title


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def read_cvdr(data: bytes) -> tuple[list[Page], str]:
    """CVDR XML of a gemeentelijke regeling: titles, chapters, articles and paragraphs."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, recover=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"XML cannot be parsed: {exc}") from None
    title = ""
    for el in root.iter():
        if _local(el.tag) == "title":
            title = normalize_chars("".join(el.itertext()))
            break
    body = next((el for el in root.iter() if _local(el.tag) == "body"), root)
    levels = {"hoofdstuk": 1, "afdeling": 2, "paragraaf": 2, "artikel": 3, "bijlage": 1}
    lines: list[Line] = []
    for el in body.iter():
        name = _local(el.tag)
        if name == "intitule":
            text = normalize_chars("".join(el.itertext()))
            if text:
                lines.append(Line(text, heading=1, block_start=True))
        elif name == "kop":
            parent = _local(el.getparent().tag) if el.getparent() is not None else ""
            parts = [normalize_chars("".join(c.itertext())) for c in el]
            text = normalize_chars(" ".join(p for p in parts if p)) or normalize_chars("".join(el.itertext()))
            if text:
                lines.append(Line(text, heading=levels.get(parent, 2), block_start=True))
        elif name in {"al", "tussenkop"}:
            text = normalize_chars("".join(el.itertext()))
            if not text:
                continue
            in_list = any(_local(a.tag) == "li" for a in el.iterancestors())
            if in_list:
                li = next(a for a in el.iterancestors() if _local(a.tag) == "li")
                nr = next((c for c in li if _local(c.tag) == "li.nr"), None)
                if nr is not None and el is next((c for c in li.iter() if _local(c.tag) == "al"), None):
                    text = normalize_chars(f"{''.join(nr.itertext())} {text}")
            lines.append(Line(text, heading=4 if name == "tussenkop" else 0,
                              list_item=in_list, block_start=True))
    if not lines:
        text = normalize_chars(" ".join(root.itertext()))
        lines = [Line(text, block_start=True)] if text else []
    return [Page(number=1, lines=lines, n_chars=sum(len(x.text) for x in lines))], title
