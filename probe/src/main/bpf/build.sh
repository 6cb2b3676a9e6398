#!/bin/sh
# Compiles every SOURCE_DIR/*.bpf.c into OUT_DIR/*.bpf.o, run by Maven in generate-resources
# so the object ships inside the probe jar. Without clang the build still succeeds: the probe
# then says in its --explain output that eBPF is off because the object was not built.
# Usage: build.sh SOURCE_DIR OUT_DIR
set -eu
src="$1"
out="$2"
if ! command -v clang >/dev/null 2>&1; then
  echo "[probe] clang not found: eBPF object not built; the probe will use conntrack and polling" >&2
  exit 0
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
  echo "[probe] libbpf headers (/usr/include/bpf, Debian package libbpf-dev) not found: eBPF object not built" >&2
  exit 0
fi
case "$(uname -m)" in
  x86_64) arch=x86 ;;
  aarch64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
mkdir -p "$out"
for source in "$src"/*.bpf.c; do
  object="$out/$(basename "$source" .c).o"
  clang -O2 -g -target bpf "-D__TARGET_ARCH_$arch" -Wall -Werror -I"$src" -c "$source" -o "$object"
  # DWARF is for humans; libbpf needs only the .BTF and .BTF.ext sections, which -g keeps.
  if command -v llvm-strip >/dev/null 2>&1; then
    llvm-strip -g "$object"
  fi
  echo "[probe] built $object"
done
