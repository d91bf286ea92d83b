#!/usr/bin/env python3
"""Is Orion's output as good as Pillow's? PSNR of both pipelines' WebP variants against the same
reference, and their sizes.

    python3 quality.py PHOTO_DIR ORION_OUT_DIR

ORION_OUT_DIR holds `{photo stem}_{original|800|200}.webp`, as written by
`cargo run --release -p images --example compare -- PHOTO_DIR --out ORION_OUT_DIR`.

For each photo and variant the reference is Pillow's Lanczos resize of the full decoded photo
(EXIF orientation applied) to the variant's size, uncompressed: exactly what the Pillow pipeline
hands to its WebP encoder. Pillow's WebP (quality 85, default method 4) thus differs from the
reference by compression alone; Orion's by compression and by its own resizing (fast_image_resize
Lanczos3, 800 from 2000 and 200 from 800), so the comparison does not favour Orion. PSNR is over
R, G and B, 8 bits. Prints one JSON object: mean PSNR and total bytes per side.
"""

import io
import json
import math
import os
import sys

from PIL import Image, ImageChops, ImageOps, ImageStat

VARIANTS = ("original", "800", "200")


def psnr(a, b):
    """PSNR in dB of two RGB images of the same size."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mse = sum(rms * rms for rms in ImageStat.Stat(diff).rms) / 3
    return 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)


def main():
    photo_dir, orion_dir = sys.argv[1], sys.argv[2]
    rows = []
    for name in sorted(os.listdir(photo_dir)):
        stem, ext = os.path.splitext(name)
        if ext.lower() not in (".jpg", ".jpeg", ".png", ".gif", ".webp"):
            continue
        with Image.open(os.path.join(photo_dir, name)) as opened:
            full = ImageOps.exif_transpose(opened).convert("RGB")
        for variant in VARIANTS:
            with open(os.path.join(orion_dir, f"{stem}_{variant}.webp"), "rb") as f:
                orion_bytes = f.read()
            orion = Image.open(io.BytesIO(orion_bytes))
            orion.load()
            size = orion.size
            reference = full if size == full.size else full.resize(size, Image.LANCZOS)
            out = io.BytesIO()
            reference.save(out, format="WEBP", quality=85)
            pillow = Image.open(io.BytesIO(out.getvalue()))
            rows.append(
                {
                    "photo": name,
                    "variant": variant,
                    "size": size,
                    "orion_psnr": psnr(orion, reference),
                    "pillow_psnr": psnr(pillow, reference),
                    "orion_bytes": len(orion_bytes),
                    "pillow_bytes": out.tell(),
                }
            )
    for row in rows:
        print(
            f"{row['photo']:36} {row['variant']:>8} {row['size'][0]:>4}×{row['size'][1]:<4} "
            f"Orion {row['orion_psnr']:5.2f} dB {row['orion_bytes']:>7} B   "
            f"Pillow {row['pillow_psnr']:5.2f} dB {row['pillow_bytes']:>7} B",
            file=sys.stderr,
        )
    summary = {"variants": len(rows)}
    for side in ("orion", "pillow"):
        summary[f"{side}_mean_psnr"] = round(sum(r[f"{side}_psnr"] for r in rows) / len(rows), 3)
        summary[f"{side}_bytes"] = sum(r[f"{side}_bytes"] for r in rows)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
