"""rpc.services.photo_sizes: the sizes made from an image, and stripped thumbnails that
real clients can expand (Telethon's stripped_photo_to_jpg puts tdesktop's header back)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from telethon.utils import stripped_photo_to_jpg

from rpc.services.photo_sizes import PROFILE_BOXES, ImageError, make_sizes


def jpeg(w, h, color=(200, 80, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), color).save(out, "JPEG")
    return out.getvalue()


def test_a_large_photo_gets_every_size_and_the_largest_is_capped():
    made = make_sizes(jpeg(3000, 2000))
    assert [(s.type, s.w, s.h) for s in made.sizes] == [("m", 320, 213), ("x", 800, 533), ("y", 1280, 853),
                                                        ("w", 2560, 1707)]
    assert [s.progressive for s in made.sizes] == [False, False, False, True]
    for s in made.sizes:
        assert Image.open(io.BytesIO(s.jpeg)).size == (s.w, s.h)


def test_the_largest_size_keeps_the_original_dimensions():
    original = jpeg(1000, 700)
    made = make_sizes(original)
    assert [(s.type, s.w, s.h) for s in made.sizes] == [("m", 320, 224), ("x", 800, 560), ("y", 1000, 700)]
    assert made.sizes[-1].jpeg == original  # an upright JPEG that fits is kept byte for byte
    small = make_sizes(jpeg(100, 50))
    assert [(s.type, s.w, s.h) for s in small.sizes] == [("m", 100, 50)]


def test_stripped_thumbnail_expands_to_a_jpeg_in_the_client():
    made = make_sizes(jpeg(640, 480, (10, 200, 30)))
    assert made.stripped[0] == 1 and (made.stripped[1], made.stripped[2]) == (30, 40)
    image = Image.open(io.BytesIO(stripped_photo_to_jpg(made.stripped))).convert("RGB")
    assert image.size == (40, 30)
    r, g, b = image.getpixel((20, 15))
    assert abs(r - 10) < 20 and abs(g - 200) < 20 and abs(b - 30) < 20


def test_profile_photos_are_square():
    made = make_sizes(jpeg(900, 600), PROFILE_BOXES, square=True)
    assert [(s.type, s.w, s.h) for s in made.sizes] == [("a", 160, 160), ("b", 320, 320), ("c", 600, 600)]


def test_png_with_transparency_and_not_an_image():
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    assert make_sizes(out.getvalue()).sizes[0].w == 50
    with pytest.raises(ImageError):
        make_sizes(b"not an image at all")
    with pytest.raises(ImageError):
        make_sizes(jpeg(2000, 20))
