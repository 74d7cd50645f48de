"""The metadata in an EPUB's OPF package document (title, creator, date, series, language…)."""

import re
import zipfile
from xml.etree import ElementTree

CONTAINER = "META-INF/container.xml"
#: An OPF is a few KB; a bigger one is not read (a zip bomb must not stall the scan).
MAX_OPF_BYTES = 2 * 1024 * 1024
_YEAR = re.compile(r"(\d{4})")


def local_name(tag):
    """An XML tag without its namespace: ``{http://www.idpf.org/2007/opf}item`` → ``item``."""
    return tag.rsplit("}", 1)[-1]


class EpubError(Exception):
    pass


#: What a damaged or hostile archive raises while its package document is read.
ARCHIVE_ERRORS = (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, EOFError, ValueError)


def package_document(archive):
    """``(path of the OPF in the archive, its root element)``, from ``META-INF/container.xml``."""
    container = ElementTree.fromstring(_read(archive, CONTAINER))
    rootfile = next((el for el in container.iter() if local_name(el.tag) == "rootfile"), None)
    if rootfile is None or not rootfile.get("full-path"):
        raise EpubError("no rootfile in container.xml")
    path = rootfile.get("full-path")
    return path, ElementTree.fromstring(_read(archive, path))


def read_opf(stream):
    """Embedded values of an EPUB: ``{"title", "author", "year", "series", "language", ...}``."""
    try:
        with zipfile.ZipFile(stream) as archive:
            _, package = package_document(archive)
    except ARCHIVE_ERRORS as error:
        raise EpubError(str(error) or error.__class__.__name__) from error
    values = {}
    metadata = next((el for el in package if local_name(el.tag) == "metadata"), None)
    if metadata is None:
        return values
    authors = []
    for element in metadata:
        name, text = local_name(element.tag), (element.text or "").strip()
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
