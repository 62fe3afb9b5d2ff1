"""Which files a visitor or an API system may send: images, PDF, plain text and common
office documents, told by the name's extension and checked against the first bytes, so a
program or a page renamed `photo.png` is refused. Executables, HTML and SVG never pass."""

from __future__ import annotations

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Office formats (.doc, .xls, .ppt)
_ZIP = b"PK\x03\x04"  # the Office Open XML and OpenDocument formats
_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."

# extension -> (type, the first bytes it must start with; None: text, checked otherwise)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
    "txt": ("text/plain", None),
    "csv": ("text/csv", None),
    "rtf": ("application/rtf", (b"{\\rtf",)),
    "doc": ("application/msword", (_OLE,)),
    "xls": ("application/vnd.ms-excel", (_OLE,)),
    "ppt": ("application/vnd.ms-powerpoint", (_OLE,)),
    "docx": (_OOXML + "wordprocessingml.document", (_ZIP,)),
    "xlsx": (_OOXML + "spreadsheetml.sheet", (_ZIP,)),
    "pptx": (_OOXML + "presentationml.presentation", (_ZIP,)),
    "odt": (_ODF + "text", (_ZIP,)),
    "ods": (_ODF + "spreadsheet", (_ZIP,)),
    "odp": (_ODF + "presentation", (_ZIP,)),
}
# Served inline with their own type; every other file is a download.
IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
SAFE_TYPES = frozenset(mime for mime, _magic in ALLOWED.values())
# What text files must not start with: a program, or a page a browser would run.
_NOT_TEXT = (b"MZ", b"\x7fELF", b"#!", b"<")
MAX_NAME = 200

WRONG_TYPE = (
    "This kind of file cannot be sent: images (JPEG, PNG, GIF, WebP), PDF, text (.txt, "
    ".csv) and office documents (.doc(x), .xls(x), .ppt(x), .odt, .ods, .odp, .rtf) only."
)


class FileRefused(Exception):
    """Why a file is not taken: `code` for programs; the message is a developer's (the
    widget says its own, translated, by the code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def size_words(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, size // 1024)} KB"


def too_big(limit: int) -> FileRefused:
    return FileRefused("file_too_big", f"This file is too large: at most {size_words(limit)}.")


def clean_name(name: str | None) -> str:
    """A file name fit to show and to put in a header: no path, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '"<>').strip(" .")
    return base[-MAX_NAME:] or "file"


def accepted_type(name: str, data: bytes, limit: int) -> str:
    """The type `data` is stored and served as; `FileRefused` when it may not be sent."""
    if len(data) > limit:
        raise too_big(limit)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    allowed = ALLOWED.get(extension)
    if allowed is None or not data:
        raise FileRefused("file_type", WRONG_TYPE)
    mime, magic = allowed
    if magic is None:
        fits = b"\x00" not in data and not data.lstrip().startswith(_NOT_TEXT)
    else:
        fits = data.startswith(magic) and (extension != "webp" or data[8:12] == b"WEBP")
    if not fits:
        raise FileRefused("file_type", WRONG_TYPE)
    return mime


def served_type(mime: str) -> str:
    """The Content-Type a stored file is served with: its own where it is one of the kinds
    above, else a bare download (never text/html, never an SVG)."""
    return mime if mime in SAFE_TYPES else "application/octet-stream"


def extension_for(mime: str) -> str | None:
    """The extension of an allowed type (for a file whose name has none)."""
    bare = mime.partition(";")[0].strip().lower()
    return next((ext for ext, (allowed, _m) in ALLOWED.items() if allowed == bare), None)
