"""Write small, valid PDFs for tests: text at given positions in Helvetica (WinAnsi).

Written here so tests can make exactly the layout they need (running headers,
hyphenation, two columns, huge pages) without a PDF library.
"""

from __future__ import annotations

from pathlib import Path

Placed = tuple[float, float, float, str]  # x, y, font size, text


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(path: Path, pages: list[list[Placed]], *, width: float = 595, height: float = 842,
             title: str | None = None) -> Path:
    """Write a PDF with one content stream per page."""
    objects: list[bytes] = []

    def add(obj: bytes) -> int:
        objects.append(obj)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1 + 2 * len(pages)  # placeholder, fixed below
    page_ids = []
    content_ids = []
    for placed in pages:
        stream = b"".join(
            b"BT /F1 %.1f Tf %.1f %.1f Td (" % (size, x, y) + _escape(text) + b") Tj ET\n"
            for x, y, size, text in placed
        )
        content_ids.append(add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"))
        page_ids.append(add(b""))  # filled once the Pages id is known
    pages_id = add(b"")
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    for pid, cid in zip(page_ids, content_ids, strict=True):
        objects[pid - 1] = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, width, height, cid, font))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info = add(b"<< /Title (" + _escape(title) + b") >>") if title else None
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    Path(path).write_bytes(bytes(out))
    return Path(path)


def text_page(lines: list[str], *, size: float = 11, top: float = 780, x: float = 72,
              header: str | None = None, footer: str | None = None, leading: float = 15) -> list[Placed]:
    """A page of left-aligned lines, with an optional running header and footer."""
    placed: list[Placed] = []
    if header:
        placed.append((x, 815, 9, header))
    y = top
    for line in lines:
        if line.startswith("# "):
            placed.append((x, y, 16, line[2:]))
            y -= leading + 6
        else:
            placed.append((x, y, size, line))
            y -= leading
    if footer:
        placed.append((x, 30, 9, footer))
    return placed
