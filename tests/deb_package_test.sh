#!/usr/bin/env bash
# The .deb as a user gets it: `cpack -G DEB` in the build directory, `dpkg -i` into a scratch
# root (its own dpkg database; the host's libraries stand in for the dependencies dpkg lists),
# then the installed binary, man page, configs and schema are checked and the binary is run.
# Usage: tests/deb_package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/evalrun-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/evalrun_*.deb)
echo "package: $(basename "$deb")"
info=$(dpkg-deb --info "$deb")
grep -E "^ (Package|Version|Architecture|Depends):" <<<"$info"
grep -q "Depends: .*libcurl" <<<"$info" || { echo "no libcurl dependency"; exit 1; }

root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg --root="$root" --force-depends --force-not-root --log=/dev/null -i "$deb" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log"; exit 1; }
dpkg --root="$root" -s evalrun | grep -q "Status: install ok installed"

for f in usr/bin/evalrun usr/share/evalrun/configs/demo.yaml usr/share/evalrun/summary.schema.json \
         usr/share/evalrun/datasets/arith.jsonl usr/share/doc/evalrun/README.md; do
  [ -f "$root/$f" ] || { echo "missing from the package: /$f"; exit 1; }
done
ls "$root"/usr/share/man/man1/evalrun.1* >/dev/null || { echo "missing: the man page"; exit 1; }

version=$("$root/usr/bin/evalrun" --version)
echo "installed: $version"
[[ "$version" == "evalrun "* ]] || { echo "unexpected --version: $version"; exit 1; }
"$root/usr/bin/evalrun" validate "$root/usr/share/evalrun/configs/demo.yaml" >/dev/null
echo "ok"
