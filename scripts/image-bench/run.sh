#!/usr/bin/env bash
# Orion's image pipeline against an equivalent Pillow pipeline, side by side, on the same
# photographs, in one run; prints a markdown table.
#
#   scripts/image-bench/run.sh PHOTO_DIR [REPEATS] [--webp-method N] [--pillow-tuned]
#
# --webp-method N: libwebp effort on BOTH sides (default: each side's default, Orion 2, Pillow 4).
# --pillow-tuned: Pillow decodes JPEGs at a reduced DCT scale (`draft`) and resizes in a cascade as
# Orion does. The equal-effort headline is `--webp-method 2 --pillow-tuned`; the default run is
# Orion as shipped against what a typical Pillow user writes.
#
# PHOTO_DIR: e.g. from scripts/image-bench/fetch-photos.sh. REPEATS (default 3): each of the four
# configurations is measured REPEATS times, interleaved (Pillow 1 process, Orion 1 thread, Pillow
# one process per core, Orion one thread per core, then again), each time over ROUNDS passes of
# the whole set (default 2); the table shows the median. Then the peak memory of processing each
# photo (Orion) and a quality check (PSNR of both sides' variants against the same reference).
#
# Environment: PILLOW_PYTHON (default /var/tmp/pillow-venv/bin/python; a venv with
# `pip install pillow==$PILLOW_VERSION` is created there if it has no Pillow), PILLOW_VERSION
# (default 13.0.0, the version measured in docs/operations/image-storage.md), CARGO_TARGET_DIR
# (as for cargo), ROUNDS.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 PHOTO_DIR [REPEATS]" >&2
    exit 2
fi
photos="$(cd "$1" && pwd)"
shift
repeats=3
if [ $# -gt 0 ] && [[ "$1" != --* ]]; then repeats="$1"; shift; fi
orion_flags=() pillow_flags=()
while [ $# -gt 0 ]; do
    case "$1" in
        --webp-method) orion_flags+=(--webp-method "$2"); pillow_flags+=(--method "$2"); shift 2 ;;
        --pillow-tuned) pillow_flags+=(--tuned); shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
rounds="${ROUNDS:-2}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PILLOW_PYTHON:-/var/tmp/pillow-venv/bin/python}"
pillow_version="${PILLOW_VERSION:-13.0.0}"

if ! "$python" -c "import PIL" 2>/dev/null; then
    venv="$(dirname "$(dirname "$python")")"
    echo "creating $venv with Pillow $pillow_version" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "pillow==$pillow_version"
fi

echo "building the Orion side (release)" >&2
(cd "$root" && cargo build --quiet --release -p images --example compare)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
orion="$target_dir/release/examples/compare"

work="$(mktemp -d /var/tmp/orion-image-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
results="$work/results.jsonl"
cores="$(nproc)"

{
    echo "{\"machine\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\", \"cores\": $cores, \"load_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"flags\": \"${orion_flags[*]:-} ${pillow_flags[*]:-}\", \"commit\": \"$(cd "$root" && git rev-parse --short HEAD)\"}"
} >>"$results"

for i in $(seq "$repeats"); do
    echo "repeat $i/$repeats (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    "$python" "$here/pillow_pipeline.py" "$photos" --mode single --rounds "$rounds" ${pillow_flags[@]+"${pillow_flags[@]}"} >>"$results"
    "$orion" "$photos" --rounds "$rounds" --threads 1 --no-peak ${orion_flags[@]+"${orion_flags[@]}"} >>"$results" 2>/dev/null
    "$python" "$here/pillow_pipeline.py" "$photos" --mode pool --rounds "$rounds" ${pillow_flags[@]+"${pillow_flags[@]}"} >>"$results"
    "$orion" "$photos" --rounds "$rounds" --threads "$cores" --no-peak ${orion_flags[@]+"${orion_flags[@]}"} >>"$results" 2>/dev/null
done
echo "peak memory and quality" >&2
"$orion" "$photos" --rounds 1 --threads 1 --out "$work/orion-out" ${orion_flags[@]+"${orion_flags[@]}"} 2>/dev/null | grep '"peak"' >>"$results"
"$python" "$here/quality.py" "$photos" "$work/orion-out" 2>/dev/null | sed 's/^{/{"quality": true, /' >>"$results"
echo "{\"load_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$results"

python3 "$here/report.py" "$photos" <"$results"
