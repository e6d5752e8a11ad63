"""OLE2 compound files (CFB): legacy Word/Excel/PowerPoint, Outlook MSG and encrypted OOXML.

``sniff()`` reports every OLE2 file as ``application/x-cfb`` from its magic number; the streams inside
tell what it really is, so one extractor claims the container and dispatches on them:

* ``EncryptionInfo`` + ``EncryptedPackage``: an encrypted OOXML package (the "CDFV2 encrypted" file
  Office writes when a .docx/.xlsx/.pptx has an open password). The cipher and key size come from
  EncryptionInfo (the agile XML's ``keyData/@keyBits``, or the standard binary header's AlgID and
  KeySize). msoffcrypto-tool decrypts it in memory when a configured password opens it; the inner
  package is returned as one child named after the item, so the OOXML extractors read it. Otherwise
  ``NotExamined(encrypted)`` with the cipher and key bits.
* ``__substg1.0_*`` streams: an Outlook message, read with extract-msg (the maintained reader of the
  MSG format; it also understands contacts, appointments and tasks). Headers, body (or the HTML body
  as text when there is no plain one), and every attachment as a child; attached messages are exported
  back to MSG bytes with extract-msg's own OLE writer, so they become items read by this extractor.
* ``Workbook``/``Book``: Excel 97-2003, read with xlrd 2.x. xlrd 2 reads .xls only (1.2 also read .xlsx,
  badly and with known XML issues; .xlsx has its own reader here), and it is the reference pure-Python
  BIFF reader, still receiving fixes for .xls. Each sheet is a ``sheet NAME`` part with rows.
* ``WordDocument``: Word 97-2003, converted by Debian's ``antiword`` (best layout, tables as text), then
  ``catdoc`` when antiword refuses the file, then the printable UTF-16/ASCII runs of the WordDocument
  stream when neither tool is installed or both fail. The locator says which: ``body (antiword)``,
  ``body (catdoc)``, ``body (text runs)``. The tools read a copy in a private temporary folder and run
  with a time limit.
* ``PowerPoint Document``: PowerPoint 97-2003, converted by ``catppt`` (from catdoc); when it is
  missing or fails, the text atoms (TextCharsAtom/TextBytesAtom records) are read from the stream
  directly: a structured version of "printable runs" that keeps slide text and nothing else.
* Legacy files with an open password (RC4, RC4 CryptoAPI, XOR obfuscation): detected with
  msoffcrypto-tool and decrypted with a configured password when one opens them; otherwise
  ``NotExamined(encrypted)``.

Anything else in an OLE2 container (Visio, MSI, Thumbs.db) is ``not_examined``/``unsupported``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Sequence
from typing import Any, ClassVar

import defusedxml.ElementTree as SafeET
import olefile

from dlp.errors import NotExamined
from dlp.extract._common import (
    TextBudget,
    cell_text,
    guess_header,
    open_binary,
    parsing,
    rows_to_text,
    unique_name,
)
from dlp.extract.base import ExtractContext, Extractor
from dlp.extract.html import html_to_text
from dlp.types import Child, Document, Item, Part, Reason, Status

log = logging.getLogger(__name__)
# extract-msg logs every oddity of a damaged message; the item's status reports what matters.
logging.getLogger("extract_msg").setLevel(logging.CRITICAL)
logging.getLogger("olefile").setLevel(logging.CRITICAL)

MEDIA_TYPE = "application/x-cfb"
# A converter that has not finished in this time is stuck on a hostile file; the worker's own item
# timeout would kill the worker but leave the child process running, so the tool gets its own limit.
TOOL_TIMEOUT = 60
_AGILE_NS = "{http://schemas.microsoft.com/office/2006/encryption}"
# MS-OFFCRYPTO 2.3.2: AlgID of the standard encryption header.
_ALG_IDS = {0x660E: "AES-128", 0x660F: "AES-192", 0x6610: "AES-256", 0x6801: "RC4"}
_MSG_HEADERS = (("From", "sender"), ("To", "to"), ("Cc", "cc"), ("Bcc", "bcc"), ("Subject", "subject"))
# Runs of at least this many printable characters are kept by the fallback; shorter ones are mostly
# binary noise that happens to be printable.
_MIN_RUN = 4
_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e\xa0-\xff\t\r\n]\x00){%d,}" % _MIN_RUN)
_ASCII_RUN = re.compile(rb"[\x20-\x7e\t\r\n]{%d,}" % _MIN_RUN)


class OleExtractor(Extractor):
    """Dispatches an OLE2 compound file on the streams it holds (see the module docstring)."""

    name: ClassVar[str] = "ole"
    media_types: ClassVar[tuple[str, ...]] = (
        MEDIA_TYPE,
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.ms-outlook",
    )
    extensions: ClassVar[tuple[str, ...]] = (".doc", ".dot", ".xls", ".xlt", ".ppt", ".pps", ".pot", ".msg")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """Open the container with olefile and hand it to the reader of the kind it turns out to be."""
        with open_binary(item) as stream:
            data = stream.read()
        with parsing("OLE2 file"):
            ole = olefile.OleFileIO(data)
        try:
            with parsing("OLE2 file"):
                # CFB names compare case-insensitively (MS-CFB 2.6.4); some writers use upper case.
                streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=False)}
            if "encryptioninfo" in streams and "encryptedpackage" in streams:
                return _encrypted_ooxml(ole, data, item, ctx)
            if any(name.startswith("__substg1.0_") for name in streams):
                ole.close()
                return _read_msg(data, ctx)
            if "workbook" in streams or "book" in streams:
                return _read_xls(ole, data, ctx)
            if "worddocument" in streams:
                return _read_doc(ole, data, ctx)
            if "powerpoint document" in streams:
                return _read_ppt(ole, data, ctx)
        finally:
            ole.close()
        raise NotExamined(Reason.UNSUPPORTED, "OLE2 file of an unknown kind (not Office, not Outlook)")


# --- encrypted OOXML ---------------------------------------------------------------------------------


def _encrypted_ooxml(ole: Any, data: bytes, item: Item, ctx: ExtractContext) -> Document:
    """Decrypt with a configured password and return the package as a child, or raise NotExamined."""
    with parsing("encrypted Office file"):
        info = ole.openstream("EncryptionInfo").read(1 << 20)
        package_size = struct.unpack("<Q", ole.openstream("EncryptedPackage").read(8))[0]
    cipher, key_bits = encryption_info_cipher(info)
    if package_size > ctx.settings.max_expanded_bytes:
        raise NotExamined(
            Reason.BOMB,
            f"encrypted package declares {package_size} bytes",
            encrypted=True,
            cipher=cipher,
            key_bits=key_bits,
        )
    inner = _decrypt(data, ctx.passwords)
    if inner is None:
        raise NotExamined(
            Reason.ENCRYPTED,
            "encrypted Office file and no configured password opens it",
            encrypted=True,
            cipher=cipher,
            key_bits=key_bits,
        )
    child = Child(name=item.name or "decrypted", data=inner, encrypted=True, cipher=cipher, key_bits=key_bits)
    return Document(media_type=MEDIA_TYPE, children=(child,), encrypted=True, cipher=cipher, key_bits=key_bits)


def encryption_info_cipher(info: bytes) -> tuple[str | None, int | None]:
    """The cipher and key size named by an EncryptionInfo stream (MS-OFFCRYPTO 2.3.4.5 / 2.3.4.10)."""
    if len(info) < 8:
        return None, None
    major, minor = struct.unpack_from("<HH", info)
    try:
        if (major, minor) == (4, 4):
            # Agile: 8 bytes of version and reserved flags, then XML. defusedxml refuses DTDs/entities.
            root = SafeET.fromstring(info[8:])
            key_data = root.find(f"{_AGILE_NS}keyData")
            if key_data is None:
                return None, None
            bits = int(key_data.get("keyBits", "0")) or None
            algorithm = (key_data.get("cipherAlgorithm") or "AES").upper()
            return (f"{algorithm}-{bits}" if bits else algorithm), bits
        if minor == 2 and major in (2, 3, 4):
            # Standard: flags, header size, then EncryptionHeader (Flags, SizeExtra, AlgID, AlgIDHash, KeySize).
            alg_id, _hash, key_size = struct.unpack_from("<III", info, 20)
            name = _ALG_IDS.get(alg_id, "AES-128" if alg_id == 0 else "unknown")
            bits = key_size or (128 if alg_id == 0 else None)
            return name, bits
    except (ValueError, struct.error, SafeET.ParseError) as exc:
        log.debug("EncryptionInfo unreadable: %s", type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - defusedxml raises its own classes for forbidden markup
        log.debug("EncryptionInfo refused: %s", type(exc).__name__)
    return None, None


def _decrypt(data: bytes, passwords: Sequence[str]) -> bytes | None:
    """The decrypted file when one of the passwords opens it; None otherwise (or without msoffcrypto)."""
    if not passwords:
        return None
    try:
        import msoffcrypto
        from msoffcrypto.exceptions import InvalidKeyError
    except ImportError:  # pragma: no cover - a dependency, but decryption is optional
        return None
    for password in passwords:
        try:
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            try:
                office.load_key(password=password, verify_password=True)
            except TypeError:
                # The legacy formats' load_key always verifies and takes no such argument.
                office.load_key(password=password)
            out = io.BytesIO()
            office.decrypt(out)
            return out.getvalue()
        except InvalidKeyError:
            continue
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged file or unsupported method: not decryptable
            log.debug("decryption failed: %s", type(exc).__name__)
            continue
    return None


def _legacy_encryption(ole: Any, data: bytes) -> tuple[str, int | None] | None:
    """Cipher and key bits of a password-protected .doc/.xls/.ppt, or None when it is not encrypted.

    msoffcrypto-tool tells whether the file is protected but learns the cipher only from a correct
    password, so the encryption header is read here (MS-OFFCRYPTO 2.3.6 / 2.3.5, MS-DOC FibBase,
    MS-XLS FilePass, MS-PPT CryptSession10Container).
    """
    try:
        import msoffcrypto
    except ImportError:  # pragma: no cover
        return None
    try:
        if not msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted():
            return None
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - not a format msoffcrypto knows: treat as not encrypted
        return None
    try:
        return _legacy_header(ole)
    except (OSError, struct.error, ValueError, IndexError):
        return "unknown", None


def _legacy_header(ole: Any) -> tuple[str, int | None]:
    """The cipher named by the encryption header of a protected legacy Office file."""
    if ole.exists("WordDocument"):
        fib = ole.openstream("WordDocument").read(32)
        (flags,) = struct.unpack_from("<H", fib, 0x0A)
        if flags & 0x8000:  # fObfuscated
            return "XOR obfuscation", 16
        table = "1Table" if flags & 0x0200 else "0Table"
        return _rc4_header(ole.openstream(table).read(4096))
    for name in ("Workbook", "Book"):
        if ole.exists(name):
            stream = ole.openstream(name).read(1 << 20)
            offset = 0
            while offset + 4 <= len(stream):
                rec_type, rec_len = struct.unpack_from("<HH", stream, offset)
                if rec_type == 0x002F:  # FilePass
                    (kind,) = struct.unpack_from("<H", stream, offset + 4)
                    if kind == 0:
                        return "XOR obfuscation", 16
                    return _rc4_header(stream[offset + 6 : offset + 4 + rec_len])
                offset += 4 + rec_len
            return "unknown", None
    if ole.exists("PowerPoint Document"):
        stream = ole.openstream("PowerPoint Document").read()
        marker = stream.find(struct.pack("<H", 0x2F14))  # CryptSession10Container record type
        if marker >= 2:
            return _rc4_header(stream[marker + 6 :])
    return "unknown", None


def _rc4_header(blob: bytes) -> tuple[str, int | None]:
    """EncryptionVersionInfo 1.1 is 40-bit RC4; x.2 is RC4 CryptoAPI with a KeySize (0 meaning 40)."""
    major, minor = struct.unpack_from("<HH", blob, 0)
    if (major, minor) == (1, 1):
        return "RC4", 40
    if minor == 2 and major in (2, 3, 4):
        alg_id, _hash, key_size = struct.unpack_from("<III", blob, 20)
        name = _ALG_IDS.get(alg_id, "RC4")
        bits = key_size or 40
        return name, bits
    return "unknown", None


def _unlock_legacy(ole: Any, data: bytes, ctx: ExtractContext) -> tuple[bytes, tuple[str, int | None] | None]:
    """The file's bytes, decrypted when it is password-protected and a configured password opens it.

    Raises:
        NotExamined: reason ``encrypted`` when it is protected and no password opens it.
    """
    protection = _legacy_encryption(ole, data)
    if protection is None:
        return data, None
    cipher, bits = protection
    plain = _decrypt(data, ctx.passwords)
    if plain is None:
        raise NotExamined(
            Reason.ENCRYPTED,
            "password-protected Office file and no configured password opens it",
            encrypted=True,
            cipher=cipher,
            key_bits=bits,
        )
    return plain, protection


def _mark(document: Document, protection: tuple[str, int | None] | None) -> Document:
    if protection is None:
        return document
    return Document(
        media_type=document.media_type,
        parts=document.parts,
        children=document.children,
        encrypted=True,
        cipher=protection[0],
        key_bits=protection[1],
    )


# --- Outlook MSG ------------------------------------------------------------------------------------


def _read_msg(data: bytes, ctx: ExtractContext) -> Document:
    """Headers, body and attachments of an Outlook item with extract-msg."""
    import extract_msg
    from extract_msg.enums import AttachmentType, ErrorBehavior

    budget = TextBudget(ctx.settings.max_text_chars)
    with parsing("Outlook message"):
        message = extract_msg.openMsg(data, strict=False, errorBehavior=ErrorBehavior.SUPPRESS_ALL)
    try:
        parts: list[Part] = []
        for header, attribute in _MSG_HEADERS:
            value = _msg_attr(message, attribute)
            text = budget.take(str(value).strip()) if value else ""
            if text:
                parts.append(Part(locator=f"header {header}", text=text))
        body = _msg_attr(message, "body")
        if isinstance(body, str) and body.strip():
            parts.append(Part(locator="body", text=budget.take(body.strip())))
        else:
            html = _msg_attr(message, "htmlBody")
            if isinstance(html, bytes | str) and html:
                raw = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
                text = budget.take(html_to_text(raw, ctx.settings.max_text_chars).strip())
                if text:
                    parts.append(Part(locator="html body", text=text))
        children = _msg_children(message, ctx, AttachmentType)
        message_class = str(_msg_attr(message, "classType") or "")
        cipher = (
            "S/MIME"
            if message_class.upper().startswith("IPM.NOTE.SMIME") and "SIGNED" not in (message_class.upper())
            else None
        )
        return Document(
            media_type=MEDIA_TYPE,
            parts=tuple(parts),
            children=tuple(children),
            encrypted=cipher is not None,
            cipher=cipher,
        )
    finally:
        _safe_close(message)


def _msg_children(message: Any, ctx: ExtractContext, kinds: Any) -> list[Child]:
    """Attachments as children; attached messages as MSG bytes."""
    children: list[Child] = []
    names: dict[str, int] = {}
    try:
        attachments = list(getattr(message, "attachments", []) or [])
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken attachment table: the message text still counts
        log.debug("MSG attachments unreadable: %s", type(exc).__name__)
        return [Child(name="attachments", data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                      detail="attachment table is damaged")]  # fmt: skip
    for number, attachment in enumerate(attachments, start=1):
        kind = getattr(attachment, "type", None)
        is_msg = kind in (kinds.MSG, kinds.SIGNED_EMBEDDED)
        raw_name = _attachment_name(attachment) or f"attachment-{number}"
        if is_msg and not raw_name.lower().endswith(".msg"):
            raw_name += ".msg"
        name = unique_name(raw_name, names)
        if len(children) >= ctx.settings.max_members:
            children.append(Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.TOO_MANY_MEMBERS))
            continue
        try:
            payload = getattr(attachment, "data", None)
            if is_msg and payload is not None and hasattr(payload, "exportBytes"):
                payload = payload.exportBytes(allowBadEmbed=True)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - one damaged attachment must not lose the message
            log.debug("MSG attachment unreadable: %s", type(exc).__name__)
            payload = None
        if isinstance(payload, bytes | bytearray):
            children.append(Child(name=name, data=bytes(payload)))
        elif kind == kinds.WEB:
            children.append(Child(name=name, data=None, status=Status.NOT_EXAMINED, reason=Reason.UNSUPPORTED,
                                  detail="attachment is a link to a web resource"))  # fmt: skip
        else:
            children.append(Child(name=name, data=None, status=Status.ERROR, reason=Reason.CORRUPT,
                                  detail="attachment content could not be read"))  # fmt: skip
    return children


def _attachment_name(attachment: Any) -> str:
    for attribute in ("longFilename", "shortFilename", "displayName", "name"):
        value = _msg_attr(attachment, attribute)
        if isinstance(value, str) and value.strip():
            # Only the last path component: a name is a label here, never a path to write to.
            return value.strip().replace("\x00", "").replace("\\", "/").rsplit("/", 1)[-1] or ""
    return ""


def _msg_attr(obj: Any, attribute: str) -> Any:
    """An extract-msg property that may raise on a damaged stream: None when it does."""
    try:
        return getattr(obj, attribute, None)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - properties are parsed lazily and a broken one raises anything
        return None


def _safe_close(message: Any) -> None:
    # Closing a half-parsed message is best effort.
    with contextlib.suppress(Exception):
        message.close()


# --- Excel 97-2003 ----------------------------------------------------------------------------------


def _read_xls(ole: Any, data: bytes, ctx: ExtractContext) -> Document:
    """Every sheet as a ``sheet NAME`` part with its rows (xlrd 2.x)."""
    import xlrd

    data, protection = _unlock_legacy(ole, data, ctx)
    budget = TextBudget(ctx.settings.max_text_chars)
    parts: list[Part] = []
    with parsing("Excel 97-2003 workbook"):
        try:
            book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
        except xlrd.biffh.XLRDError as exc:
            if "encrypt" in str(exc).lower():
                raise NotExamined(Reason.ENCRYPTED, "workbook is encrypted", encrypted=True) from exc
            raise
        try:
            for index in range(book.nsheets):
                if budget.exhausted:
                    break
                sheet = book.sheet_by_index(index)
                rows: list[tuple[str, ...]] = []
                for r in range(sheet.nrows):
                    row = tuple(cell_text(value) for value in sheet.row_values(r))
                    while row and not row[-1]:
                        row = row[:-1]
                    if row:
                        rows.append(row)
                book.unload_sheet(index)
                if not rows:
                    continue
                text = budget.take(rows_to_text(rows))
                parts.append(
                    Part(locator=f"sheet {sheet.name}", text=text, rows=tuple(rows), has_header=guess_header(rows))
                )
        finally:
            book.release_resources()
    return _mark(Document(media_type=MEDIA_TYPE, parts=tuple(parts)), protection)


# --- Word 97-2003 -----------------------------------------------------------------------------------


def _read_doc(ole: Any, data: bytes, ctx: ExtractContext) -> Document:
    """The document's text through antiword, catdoc, or the printable runs of its WordDocument stream."""
    data, protection = _unlock_legacy(ole, data, ctx)
    text, tool = _convert(data, ".doc", (("antiword", ["-m", "UTF-8.txt", "-w", "0"]), ("catdoc", ["-d", "utf-8"])))
    if text is None:
        with parsing("Word 97-2003 document"):
            stream = _plain_ole(ole, data, protection).openstream("WordDocument").read()
        text, tool = printable_runs(stream), "text runs"
    budget = TextBudget(ctx.settings.max_text_chars)
    parts = (Part(locator=f"body ({tool})", text=budget.take(text.strip())),) if text.strip() else ()
    return _mark(Document(media_type=MEDIA_TYPE, parts=parts), protection)


# --- PowerPoint 97-2003 -----------------------------------------------------------------------------

_TEXT_CHARS_ATOM = 0x0FA0  # UTF-16LE text
_TEXT_BYTES_ATOM = 0x0FA8  # Latin-1 text, high bytes dropped
_CS_TEXT_ATOM = 0x0FBA  # CString (UTF-16LE), e.g. the presentation's title in some writers


def _read_ppt(ole: Any, data: bytes, ctx: ExtractContext) -> Document:
    """Slide text through catppt, or the text atoms of the PowerPoint Document stream."""
    data, protection = _unlock_legacy(ole, data, ctx)
    text, tool = _convert(data, ".ppt", (("catppt", ["-d", "utf-8"]),))
    if text is None:
        with parsing("PowerPoint 97-2003 presentation"):
            stream = _plain_ole(ole, data, protection).openstream("PowerPoint Document").read()
        text, tool = "\n".join(ppt_text_atoms(stream)), "text records"
    budget = TextBudget(ctx.settings.max_text_chars)
    parts = (Part(locator=f"slides ({tool})", text=budget.take(text.strip())),) if text.strip() else ()
    return _mark(Document(media_type=MEDIA_TYPE, parts=parts), protection)


def ppt_text_atoms(stream: bytes) -> list[str]:
    """The text of every TextCharsAtom/TextBytesAtom in a PowerPoint Document stream (MS-PPT 2.3.1).

    A linear walk over record headers: container records (version 0xF) are entered, atoms skipped by
    their length, so the walk is bounded by the stream's size whatever the records claim.
    """
    texts: list[str] = []
    offset = 0
    size = len(stream)
    while offset + 8 <= size:
        ver_instance, rec_type, rec_len = struct.unpack_from("<HHI", stream, offset)
        offset += 8
        if ver_instance & 0x000F == 0x000F:
            continue  # a container: its children follow immediately
        body = stream[offset : offset + rec_len]
        if rec_type in (_TEXT_CHARS_ATOM, _CS_TEXT_ATOM):
            texts.append(body.decode("utf-16-le", "replace").replace("\r", "\n"))
        elif rec_type == _TEXT_BYTES_ATOM:
            texts.append(body.decode("latin-1").replace("\r", "\n"))
        offset += rec_len
    return [t for t in texts if t.strip()]


# --- shared helpers ---------------------------------------------------------------------------------


def _plain_ole(ole: Any, data: bytes, protection: tuple[str, int | None] | None) -> Any:
    """The container to read streams from: the decrypted bytes when the file was protected."""
    return olefile.OleFileIO(data) if protection is not None else ole


def _convert(data: bytes, suffix: str, tools: Sequence[tuple[str, list[str]]]) -> tuple[str | None, str]:
    """Run the first installed tool that succeeds on a private temporary copy; (text, tool) or (None, "")."""
    available = [(tool, args) for tool, args in tools if shutil.which(tool)]
    if not available:
        return None, ""
    with tempfile.TemporaryDirectory(prefix="dlp-ole-") as folder:
        path = os.path.join(folder, f"item{suffix}")
        with open(path, "wb") as handle:
            handle.write(data)
        for tool, args in available:
            text = run_tool([tool, *args, path], cwd=folder)
            if text is not None and text.strip():
                return text, tool
    return None, ""


def run_tool(command: list[str], *, cwd: str, timeout: float = TOOL_TIMEOUT) -> str | None:
    """A converter's standard output as text, or None when it fails, times out or is not installed."""
    try:
        result = subprocess.run(  # noqa: S603 - a fixed tool name and a path we created
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.debug("%s timed out", command[0])
        return None
    except OSError as exc:
        log.debug("%s could not run: %s", command[0], type(exc).__name__)
        return None
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace")


def printable_runs(data: bytes) -> str:
    """Runs of printable UTF-16LE and ASCII characters, in file order: the last-resort text of a binary.

    Word stores text either as cp1252 bytes or UTF-16LE depending on the piece; both kinds of run are
    collected. Runs are joined by newlines so that a value never spans two unrelated runs.
    """
    found: list[tuple[int, str]] = []
    for match in _UTF16_RUN.finditer(data):
        found.append((match.start(), match.group().decode("utf-16-le", "replace")))
    # An ASCII run needs four non-zero bytes in a row, so it never matches inside UTF-16 text.
    for match in _ASCII_RUN.finditer(data):
        found.append((match.start(), match.group().decode("cp1252", "replace")))
    found.sort()
    return "\n".join(text.strip() for _, text in found if text.strip())


__all__ = ["OleExtractor", "encryption_info_cipher", "ppt_text_atoms", "printable_runs", "run_tool"]
