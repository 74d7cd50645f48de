"""The metadata in an EPUB's OPF package document (title, creator, date, series, language…)."""

import re
import zipfile
from xml.etree import ElementTree

CONTAINER = "META-INF/container.xml"
#: An OPF is a few KB; a bigger one is not read (a zip bomb must not stall the scan).
MAX_OPF_BYTES = 2 * 1024 * 1024
_YEAR = re.compile(r"(\d{4})")


def _local(tag):
    return tag.rsplit("}", 1)[-1]


class EpubError(Exception):
    pass


def read_opf(stream):
    """Embedded values of an EPUB: ``{"title", "author", "year", "series", "language", ...}``."""
    try:
        with zipfile.ZipFile(stream) as archive:
            container = ElementTree.fromstring(_read(archive, CONTAINER))
            rootfile = next((el for el in container.iter() if _local(el.tag) == "rootfile"), None)
            if rootfile is None or not rootfile.get("full-path"):
                raise EpubError("no rootfile in container.xml")
            package = ElementTree.fromstring(_read(archive, rootfile.get("full-path")))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, EOFError, ValueError) as error:
        raise EpubError(str(error) or error.__class__.__name__) from error
    values = {}
    metadata = next((el for el in package if _local(el.tag) == "metadata"), None)
    if metadata is None:
        return values
    authors = []
    for element in metadata:
        name, text = _local(element.tag), (element.text or "").strip()
        if name == "title" and text and "title" not in values:
            values["title"] = text
        elif name == "creator" and text:
            authors.append(text)
        elif name == "date" and text and "year" not in values:
            match = _YEAR.search(text)
            if match:
                values["year"] = int(match.group(1))
        elif name in ("language", "publisher", "description") and text and name not in values:
            values[name] = text
        elif name == "identifier" and text and "isbn" in text.lower() + (element.get("id") or "").lower():
            values["isbn"] = text.split(":")[-1].strip()
        elif name == "meta":
            if element.get("name") == "calibre:series" and element.get("content"):
                values["series"] = element.get("content").strip()
            elif element.get("property") == "belongs-to-collection" and text:
                values.setdefault("series", text)
    if authors:
        values["author"] = ", ".join(authors)
    return values


def _read(archive, name):
    info = archive.getinfo(name)
    if info.file_size > MAX_OPF_BYTES:
        raise EpubError(f"{name} is too large")
    return archive.read(info)
