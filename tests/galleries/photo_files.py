"""Photo files as cameras and editors write them, built here so the tests need nothing from the machine:
an Adobe RGB (1998) profile, photos tagged with it, and photos carrying private EXIF."""

import io
import struct

from PIL import Image, ImageCms

# EXIF tags the tests look for.
MAKE, MODEL, ARTIST, COPYRIGHT = 0x010F, 0x0110, 0x013B, 0x8298
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
BODY_SERIAL, LENS_SERIAL, MAKER_NOTE = 0xA431, 0xA435, 0x927C
SERIALS = (b"SN-4417-0203", b"LN-9981-7731")


def _s15f16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15f16(x) + _s15f16(y) + _s15f16(z)


def _desc(text: str) -> bytes:
    ascii_ = text.encode() + b"\0"
    # textDescriptionType: ASCII, then empty Unicode and ScriptCode parts (67 bytes of ScriptCode).
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_ + struct.pack(">II", 0, 0) + b"\0\0\0" + bytes(67)


def adobe_rgb_icc() -> bytes:
    """A minimal ICC v2 display profile with Adobe RGB (1998)'s primaries (adapted to D50, as the PCS
    wants) and its 563/256 gamma: what lcms needs to convert, built byte by byte."""
    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, 563) + b"\0\0"  # u8Fixed8 2.19921875, padded to 4
    tags = [
        (b"desc", _desc("Adobe RGB (1998)")),
        (b"cprt", b"text\0\0\0\0" + b"Public domain test profile\0\0"),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(0.60974, 0.31111, 0.01947)),
        (b"gXYZ", _xyz(0.20528, 0.62567, 0.06087)),
        (b"bXYZ", _xyz(0.14919, 0.06322, 0.74457)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = [], b""
    for signature, body in tags:
        body += bytes(-len(body) % 4)
        table.append(signature + struct.pack(">II", offset + len(data), len(body)))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"none"
        + bytes([2, 0x10, 0, 0])  # version 2.1
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(24)  # platform, flags, manufacturer, model, attributes (8)
        + struct.pack(">I", 0)  # perceptual
        + _s15f16(0.9642)
        + _s15f16(1.0)
        + _s15f16(0.8249)
        + b"none"
    )
    header += bytes(128 - len(header))
    profile = header + struct.pack(">I", len(tags)) + b"".join(table) + data
    ImageCms.ImageCmsProfile(io.BytesIO(profile))  # lcms reads it, or the test is wrong
    return profile


def flat_jpeg(color, size=(900, 600), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=95, **save)
    return out.getvalue()


def private_exif() -> Image.Exif:
    """Where the photo was taken, the serial numbers of the camera and lens, a maker note, and the credit."""
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "Canon", "Canon EOS R5"
    exif[ARTIST], exif[COPYRIGHT] = "Ada Northlight", "(c) 2026 Northlight Photography"
    sub = exif.get_ifd(EXIF_IFD)
    sub[BODY_SERIAL], sub[LENS_SERIAL] = SERIALS[0].decode(), SERIALS[1].decode()
    sub[MAKER_NOTE] = b"CANON-PRIVATE-NOTE" + bytes(32)
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (54.0, 25.0, 52.0)  # a family's home, to the metre
    gps[3], gps[4] = "W", (2.0, 58.0, 1.0)
    return exif


def private_jpeg(size=(900, 600)) -> bytes:
    return flat_jpeg((120, 130, 140), size, exif=private_exif())


def metadata_of(data: bytes) -> dict:
    """What a file tells about where and with what it was taken, and whose it is."""
    img = Image.open(io.BytesIO(data))
    exif = img.getexif()
    sub = exif.get_ifd(EXIF_IFD)
    return {
        "gps": dict(exif.get_ifd(GPS_IFD)),
        "serials": [s for s in SERIALS if s in data] + [sub[t] for t in (BODY_SERIAL, LENS_SERIAL) if t in sub],
        "maker_note": MAKER_NOTE in sub or b"CANON-PRIVATE-NOTE" in data,
        "camera": [exif[t] for t in (MAKE, MODEL) if t in exif],
        "artist": exif.get(ARTIST),
        "copyright": exif.get(COPYRIGHT),
    }


def profile_description(data: bytes) -> str | None:
    icc = Image.open(io.BytesIO(data)).info.get("icc_profile")
    return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip() if icc else None
