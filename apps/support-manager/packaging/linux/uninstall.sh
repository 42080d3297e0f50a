#!/bin/sh
# Removes Support Manager installed by install.sh: the program, its
# ~/.local/bin link, the .desktop file and the support-manager:// registration.
#
#   uninstall.sh [--prefix DIR]
#
# Run from an installation it removes that one; otherwise DIR defaults to
# ${XDG_DATA_HOME:-~/.local/share}/support-manager.
set -eu

say() { printf '%s\n' "$*"; }
die() { printf 'uninstall.sh: %s\n' "$*" >&2; exit 1; }

marker=.support-manager-install
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
here=$(cd "$(dirname -- "$0")" && pwd -P)
if [ -f "$here/$marker" ]; then prefix=$here; else prefix=$data_home/support-manager; fi
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done
prefix=${prefix%/}
[ -f "$prefix/$marker" ] || die "no Support Manager installation in $prefix"

installed_as=$(sed -n 's/^prefix=//p' "$prefix/$marker")
desktop=$(sed -n 's/^desktop=//p' "$prefix/$marker")
link=$(sed -n 's/^link=//p' "$prefix/$marker")

# Only our own link: a support-manager of something else in the same place stays.
if [ -n "$link" ] && [ -L "$link" ] && [ "$(readlink -- "$link")" = "$installed_as/support-manager" ]; then
  rm -f "$link"
fi
if [ -n "$desktop" ] && [ -f "$desktop" ]; then
  rm -f "$desktop"
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$(dirname -- "$desktop")" || true
  fi
fi
# xdg-mime can set a default but not remove one: drop the line it wrote, and only that line.
for list in "${XDG_CONFIG_HOME:-$HOME/.config}/mimeapps.list" "$data_home/applications/mimeapps.list"; do
  if [ -f "$list" ]; then sed -i '/^x-scheme-handler\/support-manager=support-manager\.desktop;\{0,1\}$/d' "$list"; fi
done

rm -rf "$prefix"
say "Support Manager was removed from $prefix."
