#!/bin/sh
# Installs Support Manager for the current user (no root needed) and makes it
# the handler of support-manager:// links, so that "Open Support Manager" on
# the support site starts it with one click.
#
#   ./install.sh [--prefix DIR] [--bin-dir DIR | --no-bin-link]
#
# DIR defaults: ${XDG_DATA_HOME:-~/.local/share}/support-manager and ~/.local/bin.
# Undo with DIR/uninstall.sh.
set -eu

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

data_home=${XDG_DATA_HOME:-$HOME/.local/share}
prefix=$data_home/support-manager
bin_dir=$HOME/.local/bin
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a directory"; bin_dir=$2; shift 2 ;;
    --bin-dir=*) bin_dir=${1#*=}; shift ;;
    --no-bin-link) bin_dir=; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

src=$(cd "$(dirname -- "$0")" && pwd -P)
for f in support-manager uninstall.sh lib/node lib/support-manager.mjs lib/wrtc.node; do
  [ -e "$src/$f" ] || die "$src/$f is missing: run install.sh from the extracted archive"
done

case $prefix in /*) ;; *) prefix=$(pwd -P)/$prefix ;; esac
prefix=${prefix%/}
case $prefix in *'
'*) die "the directory name must not contain a line break" ;; esac
[ -n "$prefix" ] && [ "$prefix" != "$HOME" ] || die "refusing to install into $prefix itself; choose a directory of its own"
marker=.support-manager-install
if [ -e "$prefix" ]; then
  [ "$(cd "$prefix" && pwd -P)" != "$src" ] || die "this is the installed copy already; run the install.sh of an extracted archive"
  # Only a previous installation is replaced: never delete a directory we did not make.
  if [ ! -f "$prefix/$marker" ] && [ -n "$(ls -A "$prefix" 2>/dev/null)" ]; then
    die "$prefix exists and is not a Support Manager installation; choose another --prefix"
  fi
fi

# Fails here, before anything is changed, when this system cannot run the bundled runtime (too old a C library).
"$src/lib/node" --version >/dev/null 2>&1 || die "the bundled Node runtime does not run on this system ($(uname -sm))"

# Copied beside the target and swapped in, so a failed copy leaves the old installation intact.
parent=$(dirname -- "$prefix")
mkdir -p "$parent"
staging=$(mktemp -d "$parent/.support-manager-install.XXXXXX")
chmod 755 "$staging"
trap 'rm -rf "$staging"' EXIT
cp -R "$src/support-manager" "$src/uninstall.sh" "$src/lib" "$staging/"
for f in licenses README.txt; do
  if [ -e "$src/$f" ]; then cp -R "$src/$f" "$staging/"; fi
done
chmod 755 "$staging/support-manager" "$staging/uninstall.sh" "$staging/lib/node"

apps=$data_home/applications
desktop=$apps/support-manager.desktop
link=
if [ -n "$bin_dir" ]; then link=$bin_dir/support-manager; fi
{
  say "prefix=$prefix"
  say "desktop=$desktop"
  say "link=$link"
} >"$staging/$marker"

rm -rf "$prefix"
mv "$staging" "$prefix"
trap - EXIT

if [ -n "$link" ]; then
  mkdir -p "$bin_dir"
  if [ -e "$link" ] && [ ! -L "$link" ]; then
    say "note: $link exists and is not a link; left as it is"
  else
    ln -sfn "$prefix/support-manager" "$link"
  fi
fi

# Desktop Entry spec: an argument with reserved characters is quoted, with \ " ` $
# escaped inside, and the value's own backslashes doubled. Plain paths stay bare,
# because older xdg-open (1.1) splits Exec at spaces and would keep the quotes.
exec_arg() {
  case $1 in
    *[!A-Za-z0-9/._+-]*)
      printf '"%s"' "$(printf '%s' "$1" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g' -e 's/%/%%/g')" ;;
    *) printf '%s' "$1" ;;
  esac
}

mkdir -p "$apps"
cat >"$desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Support Manager
Comment=Lets a support representative see and control this computer during a remote support session, after you accept
Exec=$(exec_arg "$prefix/support-manager") %u
Terminal=false
NoDisplay=true
MimeType=x-scheme-handler/support-manager;
Categories=Network;RemoteAccess;
EOF

if command -v xdg-mime >/dev/null 2>&1; then
  xdg-mime default support-manager.desktop x-scheme-handler/support-manager
else
  say "note: xdg-mime (package xdg-utils) is not installed: the desktop may not open support-manager:// links with Support Manager."
fi
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$apps" || true
fi

say "Support Manager is installed in $prefix."
say "Links to support-manager:// now open it; you can also run: ${link:-$prefix/support-manager} '<link>'"
say "To remove it: $prefix/uninstall.sh"
