"""``dlp protect FILE...``: pack files into an AES-256 zip with a generated passphrase.

This is how a sender fixes a transfer blocked as ``unencrypted-93h``: the zip is encrypted with
WinZip AES-256 (pyzipper), which the scanner's zip extractor reports as ``AES-256``, and the passphrase
is printed once for a separate channel (a phone call, a text message), never for the same e-mail:
a password written in the message makes the archive count as unencrypted.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyzipper

from dlp.errors import ConfigError

PASSPHRASE_BYTES = 18  # 144 random bits, 24 URL-safe characters


def _files(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """Each regular file with its name in the archive (a folder's files keep their relative paths)."""
    for path in paths:
        if path.is_dir():
            for sub in sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()):
                yield sub, f"{path.name}/{sub.relative_to(path).as_posix()}"
        elif path.is_file():
            yield path, path.name
        else:
            raise ConfigError(f"protect: {path} is not a file or folder")


def protect(paths: Sequence[Path], output: Path, passphrase: str | None = None) -> tuple[str, int]:
    """Write the AES-256 zip (mode 0600; an existing file is refused); return the passphrase and file count.

    Raises:
        ConfigError: a path is missing, the output exists, or nothing to pack.
    """
    if output.exists():
        raise ConfigError(f"protect: {output} exists; choose another --output")
    members = list(_files(paths))
    if not members:
        raise ConfigError("protect: no files to pack")
    secret = passphrase or secrets.token_urlsafe(PASSPHRASE_BYTES)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    names: dict[str, int] = {}
    try:
        with os.fdopen(fd, "wb") as handle, pyzipper.AESZipFile(
            handle, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        ) as archive:
            archive.setpassword(secret.encode("ascii"))
            archive.setencryption(pyzipper.WZ_AES, nbits=256)
            for path, name in members:
                count = names.get(name, 0) + 1
                names[name] = count
                archive.write(path, name if count == 1 else f"{count}-{name}")
    except OSError:
        output.unlink(missing_ok=True)  # never leave half an archive that looks finished
        raise
    return secret, len(members)
