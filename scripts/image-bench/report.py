#!/usr/bin/env python3
"""Turns run.sh's JSON lines (stdin) into the markdown comparison table."""

import json
import os
import statistics
import sys


def main():
    photo_dir = sys.argv[1] if len(sys.argv) > 1 else ""
    rows = [json.loads(line) for line in sys.stdin if line.strip()]
    speed = {}
    peaks, quality, info = [], None, {}
    for row in rows:
        if "images_per_second" in row:
            speed.setdefault((row["side"], row["mode"]), []).append(row)
        elif "peak" in row:
            peaks.append(row)
        elif row.get("quality"):
            quality = row
        else:
            info.update(row)
    for (side, _), runs in speed.items():
        if side == "pillow":
            info.update({k: runs[0][k] for k in ("pillow", "libwebp", "libjpeg_turbo")})

    def median(key):
        runs = speed.get(key, [])
        return statistics.median(r["images_per_second"] for r in runs) if runs else None

    cores = info.get("cores", os.cpu_count())
    pillow_one = ("pillow", "1 process")
    pillow_all = ("pillow", f"{cores} processes")
    orion_one = ("orion", "1 thread")
    orion_all = ("orion", f"{cores} threads")
    p1, pn = median(pillow_one), median(pillow_all)
    pillow_bytes = speed[pillow_one][0]["total_bytes"]
    images = speed[pillow_one][0]["images"]

    print(f"Photos: {photo_dir} ({len(peaks) or '?'} photo(s), {images} images per measurement)  ")
    print(f"Machine: {info.get('machine', '?')}, {cores} cores; load average before "
          f"{info.get('load_before', '?')}, after {info.get('load_after', '?')}  ")
    pillow_run = speed[pillow_one][0]
    print(f"Pillow {info.get('pillow')} (libwebp {info.get('libwebp')}, libjpeg-turbo "
          f"{info.get('libjpeg_turbo')}); median of {len(speed[pillow_one])} interleaved runs  ")
    print(f"Settings: run.sh flags `{info.get('flags', '').strip() or '(none)'}` at commit {info.get('commit', '?')}; "
          f"Pillow libwebp method {pillow_run.get('webp_method', 4)}, "
          f"{'draft JPEG decoding and a resize cascade' if pillow_run.get('tuned') else 'each variant resized from the full image'}\n")
    print("| pipeline | images/s | × Pillow 1 process | × Pillow per core | total output bytes | bytes vs Pillow |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, key in (
        ("Pillow, 1 process", pillow_one),
        (f"Pillow, {cores} processes (one per core)", pillow_all),
        ("Orion, 1 thread", orion_one),
        (f"Orion, {cores} threads (Processor, one image per core)", orion_all),
    ):
        if key not in speed:
            continue
        ips = median(key)
        total = speed[key][0]["total_bytes"]
        runs = ", ".join(f"{r['images_per_second']:.2f}" for r in speed[key])
        print(f"| {label} | **{ips:.2f}** ({runs}) | {ips / p1:.2f}× | {ips / pn:.2f}× | "
              f"{total:,} | {100 * (total - pillow_bytes) / pillow_bytes:+.1f} % |")
    print()
    best = median(orion_all)
    orion_bytes = speed[orion_all][0]["total_bytes"]
    checks = [
        (f"Orion {cores} threads ≥ 3× Pillow 1 process", best >= 3 * p1, f"{best / p1:.2f}×"),
        (f"Orion {cores} threads ≥ 1.5× Pillow per core", best >= 1.5 * pn, f"{best / pn:.2f}×"),
        ("total output bytes within ±10 % of Pillow's",
         abs(orion_bytes - pillow_bytes) <= 0.1 * pillow_bytes,
         f"{100 * (orion_bytes - pillow_bytes) / pillow_bytes:+.1f} %"),
    ]
    if peaks:
        worst = max(p["peak_ratio"] for p in peaks)
        checks.append(("peak memory of one image < 3× its decoded size", worst < 3, f"worst {worst:.2f}×"))
    for name, ok, value in checks:
        print(f"- {'PASS' if ok else 'FAIL'}: {name} ({value})")
    if peaks:
        print("\n| photo | size | decoded (w×h×channels) | Orion peak | ratio |")
        print("| --- | --- | ---: | ---: | ---: |")
        for p in peaks:
            print(f"| {p['peak']} | {p['width']}×{p['height']} | {p['decoded_bytes'] / 1e6:.1f} MB | "
                  f"{p['peak_bytes'] / 1e6:.1f} MB | {p['peak_ratio']:.2f}× |")
    if quality:
        print(f"\nQuality over {quality['variants']} variants, mean PSNR against Pillow's uncompressed "
              f"Lanczos resize: Orion {quality['orion_mean_psnr']:.2f} dB in {quality['orion_bytes']:,} bytes, "
              f"Pillow {quality['pillow_mean_psnr']:.2f} dB in {quality['pillow_bytes']:,} bytes.")


if __name__ == "__main__":
    main()
