"""Decoding an uploaded image and making the sizes clients expect (Pillow); no I/O.

Telegram's photo sizes (https://core.telegram.org/api/files#image-thumbnail-types):
"s" a stripped thumbnail sent inline, then "m" (320 px box), "x" (800), "y" (1280) and
"w" (2560). Sizes are made up to the first box the image fits in, and that one keeps
the image's own dimensions: the largest size a client can download is the original
resolution, capped at 2560. When the upload is an upright JPEG that fits, that size
is the uploaded file itself, byte for byte (nothing is lost to re-encoding). Profile
photos are square: "a" 160, "b" 320, "c" 640.

A stripped thumbnail is a tiny JPEG without its header: byte 1, height, width, then the
entropy-coded data; clients put back a fixed header (tdesktop's, which every client
copies) whose quantization tables are below, with the standard Huffman tables and 4:2:0
sampling. So the thumbnail must be encoded with exactly those tables.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

MESSAGE_BOXES = (("m", 320), ("x", 800), ("y", 1280), ("w", 2560))
PROFILE_BOXES = (("a", 160), ("b", 320), ("c", 640))
STRIPPED_BOX = 40
MAX_PIXELS = 50_000_000  # larger images are refused (decompression bombs)
MAX_ASPECT = 20  # Telegram refuses photos much longer than they are wide (PHOTO_INVALID_DIMENSIONS)
JPEG_QUALITY = 87

# The stripped-thumbnail header's quantization tables (luma, chroma), in zigzag order.
_STRIPPED_LUMA = (
    40, 28, 30, 35, 30, 25, 40, 35, 33, 35, 45, 43, 40, 48, 60, 100, 65, 60, 55, 55, 60, 123, 88, 93, 73, 100,
    145, 128, 153, 150, 143, 128, 140, 138, 160, 180, 230, 195, 160, 170, 218, 173, 138, 140, 200, 255, 203, 218,
    238, 245, 255, 255, 255, 155, 193, 255, 255, 255, 250, 255, 230, 253, 255, 248)
_STRIPPED_CHROMA = (43, 45, 45, 60, 53, 60, 118, 65, 65, 118) + (248, 165, 140, 165) + (248,) * 50
_ZIGZAG = (0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,
           7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31,
           39, 46, 53, 60, 61, 54, 47, 55, 62, 63)


class ImageError(ValueError):
    """Not an image Pillow can decode, or one with unusable dimensions."""


@dataclass(frozen=True)
class SizeImage:
    type: str
    w: int
    h: int
    jpeg: bytes
    progressive: bool = False


@dataclass(frozen=True)
class PhotoSizes:
    w: int  # of the original (after EXIF rotation)
    h: int
    sizes: list[SizeImage]  # smallest first
    stripped: bytes


def _natural(zigzag: tuple[int, ...]) -> list[int]:
    table = [0] * 64
    for k, value in enumerate(zigzag):
        table[_ZIGZAG[k]] = value
    return table


_STRIPPED_TABLES = [_natural(_STRIPPED_LUMA), _natural(_STRIPPED_CHROMA)]


def _is_plain_jpeg(data: bytes) -> bool:
    """A baseline/progressive RGB or grey JPEG that needs no EXIF rotation."""
    with Image.open(io.BytesIO(data)) as image:
        orientation = image.getexif().get(0x0112, 1)
        return image.format == "JPEG" and image.mode in ("RGB", "L") and orientation in (0, 1)


def open_image(data: bytes) -> Image.Image:
    """The decoded image, upright (EXIF orientation applied), in RGB."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageError("too many pixels")
        image = Image.open(io.BytesIO(data))
        image.load()
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            return flat
        return image.convert("RGB")
    except ImageError:
        raise
    except Exception as exc:  # Pillow raises many kinds for broken input
        raise ImageError(str(exc)) from exc


def _fit(image: Image.Image, box: int) -> Image.Image:
    w, h = image.size
    if max(w, h) <= box:
        return image
    scale = box / max(w, h)
    return image.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.LANCZOS)


def _jpeg(image: Image.Image, progressive: bool = False) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, progressive=progressive, optimize=progressive)
    return out.getvalue()


def stripped_thumbnail(image: Image.Image) -> bytes:
    small = _fit(image, STRIPPED_BOX)
    out = io.BytesIO()
    small.save(out, "JPEG", qtables=_STRIPPED_TABLES, subsampling=2, optimize=False)
    data = out.getvalue()
    # Everything up to the end of the start-of-scan header is the clients' fixed header.
    sos = data.index(b"\xff\xda")
    body = data[sos + 2 + int.from_bytes(data[sos + 2:sos + 4], "big"):]
    if body.endswith(b"\xff\xd9"):
        body = body[:-2]
    return bytes((1, small.height, small.width)) + body


def make_sizes(data: bytes, boxes=MESSAGE_BOXES, square: bool = False) -> PhotoSizes:
    """The sizes of a photo (see the module docstring); ImageError if it is no image."""
    image = open_image(data)
    w, h = image.size
    if min(w, h) < 1 or max(w, h) > MAX_ASPECT * min(w, h):
        raise ImageError(f"unusable dimensions {w}x{h}")
    if square:
        image = ImageOps.fit(image, (min(w, h), min(w, h)), Image.LANCZOS)
        w, h = image.size
    keep_original = not square and _is_plain_jpeg(data)
    sizes = []
    for index, (kind, box) in enumerate(boxes):
        last = max(w, h) <= box or index == len(boxes) - 1
        scaled = _fit(image, box)
        if last and keep_original and scaled is image:
            sizes.append(SizeImage(kind, w, h, data))
        else:
            sizes.append(SizeImage(kind, scaled.width, scaled.height, _jpeg(scaled, progressive=last),
                                   progressive=last))
        if last:
            break
    return PhotoSizes(w, h, sizes, stripped_thumbnail(image))
