#!/usr/bin/env bash
# Reproduces the photograph set of the Orion-vs-Pillow pipeline benchmark into DIR (default
# /var/tmp/orion-photos): nine real photographs (JPEG, as published) taken from Debian's wallpaper
# packages, 4 MP to 20 MP. The photos are not committed: their licences are the packages' (per
# Debian's copyright files: plasma-workspace-wallpapers GPL-2+; the lomiri-wallpapers photos
# CC-BY-SA-4.0, CC-BY-4.0, CC0-1.0 or CC-BY-SA-3.0, one per photo), see
# usr/share/doc/<package>/copyright inside each .deb.
#
#   scripts/image-bench/fetch-photos.sh [DIR]
#
# Needs apt-get (Debian's package lists; runs `apt-get update` once if a download fails) and
# dpkg-deb. Nothing is installed: the .deb files are downloaded and unpacked under a temporary
# directory.
set -euo pipefail

dest="${1:-/var/tmp/orion-photos}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
work="$(mktemp -d /var/tmp/orion-photo-debs.XXXXXX)"
trap 'rm -rf "$work"' EXIT

packages=(plasma-workspace-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04)
cd "$work"
# `apt-get download` runs as the _apt user when it can; a root-owned directory only triggers a
# harmless warning.
if ! apt-get download "${packages[@]}" >download.log 2>&1; then
    apt-get update >update.log 2>&1 || { cat update.log >&2; exit 1; }
    apt-get download "${packages[@]}" >download.log 2>&1 || { cat download.log >&2; exit 1; }
fi
for deb in ./*.deb; do
    dpkg-deb -x "$deb" unpacked
    echo "unpacked $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
done

# name in DIR | path inside the packages | sha256 of the file as checked (a newer package
# version may differ: reported, not fatal)
while IFS='|' read -r name path sum; do
    [ -n "$name" ] || continue
    src="unpacked/$path"
    if [ ! -f "$src" ]; then
        echo "missing in the packages: $path" >&2
        exit 1
    fi
    cp -L "$src" "$dest/$name"
    actual="$(sha256sum "$dest/$name" | cut -d' ' -f1)"
    if [ "$actual" != "$sum" ]; then
        echo "note: $name differs from the benchmarked file (sha256 $actual)" >&2
    fi
    echo "$name $(stat -c %s "$dest/$name") bytes"
done <<'LIST'
04mp-FallenLeaf-2560x1600.jpg|usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg|95603a6560c7e8d50e0e03b3f4adbe39c5258c72528e74e4ecaea1daf4e499de
04mp-Path-2560x1600.jpg|usr/share/wallpapers/Path/contents/images/2560x1600.jpg|7477457d7f17b736259f1b021864778ad4ba802cf3214e6728181ff29126bba8
04mp-EveningGlow-2560x1600.jpg|usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg|586682dcb362b9f620068f10138f87d0d3649939aef238adc5807cb951976a7a
04mp-OneStandsOut-2560x1600.jpg|usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg|cb507baf1dafdcae362264f3aba9483ed4be5f6c9fdd770f0ec0920c6d9e80fd
11mp-Bridge-4352x2448.jpg|usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg|bd86b081f9975e2b83527f71e49b9271a8ab40885428395969d9f7d834d7f050
12mp-Sunset-4272x2848.jpg|usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg|474dab6a4b9f94dc76c29dfe30e9f5db4af0fd2e33fe5d695f8152b371efca18
13mp-Dragonfly-4224x3168.jpg|usr/share/backgrounds/Dragonfly_by_Bolly.jpg|af5af17841009732def24b09bb1e669a1b09d2b4bdeee7812c371101c30d2bb3
16mp-Seeding-5312x2988.jpg|usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg|a5634d1ab5e41a3568e92d4a894a500c92b891f9ff734e50bd224d6e185a605f
20mp-Kleiber-6028x3391.jpg|usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg|6572410c09f4492c74ccadde133565a14c0161617d5917d4c820c66d65a44ba7
LIST
echo "photos in $dest"
