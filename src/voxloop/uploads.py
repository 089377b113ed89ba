"""Reading uploaded files that could be hostile: XML without entities, zip archives within
bounds. Shared by the survey and response importers; holds no tables and imports no app."""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from voxloop.errors import InvalidInput

MAX_UPLOAD = 20 * 1024 * 1024  # bytes of one uploaded file
MAX_UNPACKED = 50 * 1024 * 1024  # bytes of everything read out of one archive
MAX_MEMBERS = 200


class BadFile(InvalidInput):
    """A file that cannot be read as what it claims to be; the message says why."""

    code = "bad_file"


def parse_xml(data: bytes, what: str = "XML") -> Element:
    """The document's root; entities, DTDs and external references are refused, not expanded."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise BadFile(
            f"The {what} declares entities or a DTD, which are refused.", "file"
        ) from None
    except Exception as error:  # expat's ParseError, or a bad encoding
        first = (str(error).splitlines() or ["unreadable"])[0]
        raise BadFile(f"The {what} is not well-formed XML ({first}).", "file") from None


def open_zip(data: bytes, what: str = "archive") -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BadFile(f"The {what} is not a valid zip file.", "file") from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise BadFile(f"The {what} holds too many files ({len(infos)}).", "file")
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise BadFile(f"The {what} unpacks to more than {MAX_UNPACKED // 2**20} MB.", "file")
    return archive


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """One member's bytes, stopped at the bound whatever the header claims (a forged size)."""
    try:
        with archive.open(name) as member:
            data = member.read(MAX_UNPACKED + 1)
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        RuntimeError,
        NotImplementedError,
        EOFError,
    ) as error:
        raise BadFile(f"'{name}' in the archive cannot be read ({error}).", "file") from None
    if len(data) > MAX_UNPACKED:
        raise BadFile(f"'{name}' unpacks to more than {MAX_UNPACKED // 2**20} MB.", "file")
    return data


def text_of(data: bytes) -> str:
    """UTF-8 (with or without BOM), else UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def uploaded_file(request: Any, field: str = "file") -> tuple[str, bytes, dict[str, str]]:
    """The uploaded file's name and bytes and the form's other fields, from a multipart
    request; a broken form or a missing or oversized file is a 400 naming the field."""
    from django.core.exceptions import SuspiciousOperation
    from django.http.multipartparser import MultiPartParserError

    try:
        files, form = request.FILES, request.POST
    except (MultiPartParserError, SuspiciousOperation, ValueError, UnicodeDecodeError):
        raise BadFile("The upload is not a valid multipart form.", field) from None
    upload = files.get(field)
    if upload is None:
        raise BadFile(f"Send the file as the multipart field '{field}'.", field)
    if upload.size is None or upload.size > MAX_UPLOAD:
        raise BadFile(f"The file is larger than {MAX_UPLOAD // 2**20} MB.", field)
    fields = {key: str(form.get(key) or "") for key in form}
    return upload.name or "upload", upload.read(MAX_UPLOAD + 1), fields
