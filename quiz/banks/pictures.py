"""Pictures as phones receive them: decoded, turned upright, stripped, resized.

An uploaded picture is re-encoded rather than stored as given: the re-encoding drops EXIF
(camera, GPS position, owner) and every other metadata block, and a file that only looks
like a picture (right magic bytes, broken body) is refused here, at the preview, instead
of breaking the quiz page. The result is what is addressed by its SHA-256, so the same
upload always lands at the same address.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from question_bank.errors import N_

# Wider than any phone screen at 2x; a 6,000-px camera picture is cut to this.
MAX_SIDE = 1280
# A decompression bomb (a small file that decodes to gigabytes) is refused long before.
MAX_PIXELS = 40_000_000
MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSION = {mime: fmt.lower().replace("jpeg", "jpg") for fmt, mime in MIME.items()}

BROKEN = N_("the picture %(name)s cannot be read as PNG, JPEG, GIF or WebP")
TOO_LARGE = N_("the picture %(name)s is too large (%(pixels)s million pixels; at most 40)")


class PictureError(ValueError):
    """A picture that cannot be stored; ``message`` is a catalog entry with ``params``."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Picture:
    data: bytes
    mime: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def normalise(data: bytes, name: str = "") -> Picture:
    """The stored form of an uploaded picture, or ``PictureError``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
                if fmt not in MIME:
                    raise PictureError(BROKEN, name=name)
                pixels = image.width * image.height
                if pixels > MAX_PIXELS:
                    raise PictureError(TOO_LARGE, name=name, pixels=round(pixels / 1e6))
                if getattr(image, "is_animated", False):
                    return _animation(image, fmt)
                return _still(image, fmt)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PictureError(TOO_LARGE, name=name, pixels="> 40") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        if isinstance(error, PictureError):
            raise
        raise PictureError(BROKEN, name=name) from None


def _still(image: Image.Image, fmt: str) -> Picture:
    upright = ImageOps.exif_transpose(image)  # a phone photo taken sideways stays upright
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if fmt == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "WEBP":
        upright.save(out, "WEBP", quality=85)
    elif fmt == "GIF":
        upright.save(out, "GIF")
    else:
        upright.save(out, "PNG", optimize=True)
    return Picture(out.getvalue(), MIME[fmt], upright.width, upright.height)


def _animation(image: Image.Image, fmt: str) -> Picture:
    """An animated GIF or WebP keeps its frames and timing, not its metadata."""
    frames = []
    for frame in ImageSequence.Iterator(image):
        copy = frame.convert("RGBA")
        copy.thumbnail((MAX_SIDE, MAX_SIDE))
        frames.append(copy)
    out = io.BytesIO()
    frames[0].save(
        out,
        fmt,
        save_all=True,
        append_images=frames[1:],
        loop=image.info.get("loop", 0),
        duration=image.info.get("duration", 100),
        disposal=2,
    )
    return Picture(out.getvalue(), MIME[fmt], frames[0].width, frames[0].height)
