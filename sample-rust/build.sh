#!/usr/bin/env bash
# Builds one variant of sample-rust offline and prints the absolute path of its binary (only that, on stdout).
# Usage: build.sh release-legacy|release-v0|debug|release-dwarf5|release-v0-dwarf5|all
# Each variant has its own CARGO_TARGET_DIR under target/, so building one never invalidates another.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
variants=(release-legacy release-v0 debug release-dwarf5 release-v0-dwarf5)

build() {
  local variant=$1 profile=release dir=release flags=""
  case "$variant" in
    release-legacy) ;;
    release-v0) flags="-C symbol-mangling-version=v0" ;;
    debug) profile=dev dir=debug ;;
    release-dwarf5) flags="-C dwarf-version=5" ;;
    release-v0-dwarf5) flags="-C symbol-mangling-version=v0 -C dwarf-version=5" ;;
    *) echo "build.sh: unknown variant '$variant' (one of: ${variants[*]} all)" >&2; return 2 ;;
  esac
  # RUSTFLAGS is set explicitly (also when empty) so a caller's environment cannot change the variant;
  # CARGO_ENCODED_RUSTFLAGS would take precedence over it, so it must not be set at all.
  env -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS CARGO_TARGET_DIR="$here/target/$variant" RUSTFLAGS="$flags" \
    cargo build --offline --locked --quiet --manifest-path "$here/Cargo.toml" --profile "$profile" >&2
  echo "$here/target/$variant/$dir/sample-rust"
}

if [ $# -ne 1 ]; then
  echo "usage: build.sh VARIANT (one of: ${variants[*]} all)" >&2
  exit 2
fi
if [ "$1" = all ]; then
  for v in "${variants[@]}"; do build "$v"; done
else
  build "$1"
fi
