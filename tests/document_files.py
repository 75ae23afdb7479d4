"""Real files of every importable kind, written with each format's own
library (python-docx, pypdf, msoffcrypto-tool, the email package), for the
import tests."""

from __future__ import annotations

import io
from email.message import EmailMessage
from pathlib import Path

STORY = ("Cambodia and Australia agreed to deepen cooperation against transnational "
         "crime, with Australia pledging cybercrime training for Cambodian police.")
SECOND = "Minister of Interior Sar Sokha led the delegation to Canberra."

WEB_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Police chiefs meet | The Phnom Penh Post</title>
<meta property="og:title" content="Cambodia and Australia deepen police cooperation">
<meta property="og:site_name" content="The Phnom Penh Post">
<meta name="author" content="Hin Pisei">
<meta property="article:published_time" content="2024-06-17T08:30:00+07:00">
<link rel="canonical" href="https://www.phnompenhpost.com/national/police-cooperation">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/business">Business</a></li></ul></nav>
<div class="advert">Subscribe now for only $1 a month! Advertisement</div>
<article>
<h1>Cambodia and Australia deepen police cooperation</h1>
<p>{story}</p>
<p>{second}</p>
<p>“Both sides also agreed on the need to deepen cooperation in the fight against
transnational crime,” the ministry said in a press release on Monday.</p>
</article>
<aside class="related"><h3>Related articles</h3><ul>
<li><a href="/a">Senate President Hun Sen escorts King at banquet</a></li>
<li><a href="/b">BYD to build an electric vehicle plant</a></li></ul></aside>
<footer>Copyright 2024 The Phnom Penh Post. All rights reserved.</footer>
</body></html>""".format(story=STORY, second=SECOND)


def write_docx(path: Path, paragraphs: list[str], *, title: str | None = None,
               heading: str | None = None, table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    if heading:
        document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def write_encrypted_docx(path: Path, password: str = "secret") -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = path.with_name("plain-" + path.name)
    write_docx(plain, [STORY])
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt(password, target)
    plain.unlink()
    return path


def pdf_bytes(lines_per_page: list[list[str]], *, title: str | None = None,
              password: str | None = None, owner_password: str | None = None,
              metadata: dict | None = None) -> bytes:
    """A PDF whose pages show ``lines`` in Helvetica (a real text layer)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for lines in lines_per_page:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        shown = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td {shown} ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    if title:
        writer.add_metadata({"/Title": title})
    if metadata:
        writer.add_metadata(metadata)
    if password is not None:
        writer.encrypt(password, owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def email_bytes(*, subject: str, sender: str, date: str, text: str | None = None,
                html: str | None = None) -> bytes:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = "analyst@example.org"
    message["Date"] = date
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return bytes(message)
