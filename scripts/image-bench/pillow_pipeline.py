#!/usr/bin/env python3
"""The Pillow equivalent of Orion's image pipeline, timed on a directory of photographs.

What a typical Pillow user writes: open, honour EXIF orientation, convert to RGB (RGBA when the
image has alpha), then for each variant (long side 2000, 800, 200; fit within the square, aspect
kept, never upscaled) resize the full decoded image with Lanczos and save lossy WebP at quality 85
with Pillow's default encoder settings (libwebp method 4).

With `--tuned`, what a careful Pillow user writes, the same effort as Orion's pipeline: JPEGs are
decoded at the smallest DCT scale still at least the 2000 variant's size (`Image.draft`), and the
variants are a cascade (800 from the 2000 result, 200 from the 800 one) as Orion resizes.
`--method N` sets libwebp's effort (Orion ships 2).

    python3 pillow_pipeline.py PHOTO_DIR [--mode single|pool|both] [--rounds N] [--method N] [--tuned]

Every photo is read into memory before timing (as on the Orion side). `single` processes the set
in this process; `pool` uses a multiprocessing Pool of os.cpu_count() workers (one process per
core), each of which has the photos in memory before the clock starts. Prints one JSON object per
mode: images per second over all rounds and the total WebP bytes of one pass over the set.
"""

import argparse
import io
import json
import multiprocessing
import os
import sys
import time

import PIL
from PIL import Image, ImageOps, features

BOUNDS = (2000, 800, 200)
QUALITY = 85

_PHOTOS = []
_SETTINGS = {"method": 4, "tuned": False}


def fit_within(width, height, bound):
    """Scale to fit within bound x bound, aspect kept, never upscaled, at least 1 px (as Orion)."""
    long_side = max(width, height)
    if long_side <= bound:
        return width, height
    scale = bound / long_side
    return (
        min(max(round(width * scale), 1), bound),
        min(max(round(height * scale), 1), bound),
    )


def process(data):
    """One photo: returns the WebP byte count of each variant."""
    method, tuned = _SETTINGS["method"], _SETTINGS["tuned"]
    with Image.open(io.BytesIO(data)) as opened:
        if tuned and opened.format == "JPEG":
            # EXIF rotation swaps the sides after decoding; the bound is square, so it fits either way.
            opened.draft("RGB", fit_within(opened.width, opened.height, BOUNDS[0]))
        image = ImageOps.exif_transpose(opened)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    sizes = []
    source = image
    for bound in BOUNDS:
        size = fit_within(image.width, image.height, bound)
        variant = source if size == source.size else source.resize(size, Image.LANCZOS)
        if tuned:
            source = variant
        out = io.BytesIO()
        variant.save(out, format="WEBP", quality=QUALITY, method=method)
        sizes.append(out.tell())
    return sizes


def _load(paths, settings=None):
    global _PHOTOS
    if settings:
        _SETTINGS.update(settings)
    _PHOTOS = []
    for path in paths:
        with open(path, "rb") as f:
            _PHOTOS.append(f.read())


def _process_index(index):
    return sum(process(_PHOTOS[index]))


def run_single(paths, rounds):
    _load(paths)
    total = sum(sum(process(data)) for data in _PHOTOS)  # warm-up pass, gives the bytes
    started = time.perf_counter()
    for _ in range(rounds):
        for data in _PHOTOS:
            process(data)
    elapsed = time.perf_counter() - started
    return {
        "side": "pillow",
        "mode": "1 process",
        "images": len(paths) * rounds,
        "seconds": elapsed,
        "images_per_second": len(paths) * rounds / elapsed,
        "total_bytes": total,
    }


def run_pool(paths, rounds):
    workers = os.cpu_count() or 1
    with multiprocessing.Pool(workers, initializer=_load, initargs=(paths, dict(_SETTINGS))) as pool:
        # Start every worker and warm it up; this pass also gives the bytes.
        total = sum(pool.map(_process_index, range(len(paths)), chunksize=1))
        jobs = [i for _ in range(rounds) for i in range(len(paths))]
        started = time.perf_counter()
        for _ in pool.imap_unordered(_process_index, jobs, chunksize=1):
            pass
        elapsed = time.perf_counter() - started
    return {
        "side": "pillow",
        "mode": f"{workers} processes",
        "images": len(jobs),
        "seconds": elapsed,
        "images_per_second": len(jobs) / elapsed,
        "total_bytes": total,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo_dir")
    parser.add_argument("--mode", choices=("single", "pool", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the set (default 2)")
    parser.add_argument("--method", type=int, default=4, help="libwebp effort 0-6 (Pillow's default 4)")
    parser.add_argument("--tuned", action="store_true", help="JPEG draft decoding and a resize cascade")
    args = parser.parse_args()
    _SETTINGS.update({"method": args.method, "tuned": args.tuned})
    paths = sorted(
        os.path.join(args.photo_dir, name)
        for name in os.listdir(args.photo_dir)
        if name.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))
    )
    if not paths:
        sys.exit(f"no photos in {args.photo_dir}")
    info = {
        "pillow": PIL.__version__,
        "libwebp": features.version("webp"),
        "libjpeg": features.version("jpg"),
        "libjpeg_turbo": features.check_feature("libjpeg_turbo"),
        "webp_method": args.method,
        "tuned": args.tuned,
    }
    if args.mode in ("single", "both"):
        print(json.dumps({**run_single(paths, args.rounds), **info}), flush=True)
    if args.mode in ("pool", "both"):
        print(json.dumps({**run_pool(paths, args.rounds), **info}), flush=True)


if __name__ == "__main__":
    main()
