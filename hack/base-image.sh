#!/usr/bin/env bash
# Builds the base image of the project's image, without a daemon or a registry: a jlink'd Java 17 runtime (the
# modules of hack/base-image.modules, with its CDS archive) in /opt/java, the few glibc/libstdc++/zlib libraries
# it links, the non-root users the chart runs as (1001 operator, 65532 agent) and a /tmp, written as a
# docker-archive tarball (what Jib reads as a tar:// base image). Idempotent: rebuilt only when an input changed
# (this script, the module list, the JDK or the libraries' Debian packages). Prints the tarball's path.
#
# Needs openjdk-17-jdk-headless (it ships the jmods jlink reads); hack/prereqs.sh installs it and runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGES_DIR="${KEEPALIVE_TOOLS_DIR:-$HOME/.cache/keepalive-operator}/images"
JDK="${BASE_IMAGE_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}"
OUT="$IMAGES_DIR/base-jre17.tar"
MODULES_FILE=hack/base-image.modules
# the Debian packages whose files end up in the image: a security update of any of them rebuilds it
PACKAGES=(openjdk-17-jdk-headless libc6 zlib1g libstdc++6 libgcc-s1)

log() { echo "base-image: $*" >&2; }

[[ -d "$JDK/jmods" ]] || { log "no $JDK/jmods: install openjdk-17-jdk-headless (bash hack/prereqs.sh)"; exit 1; }
modules="$(sed -e 's/#.*//' -e '/^\s*-/d' "$MODULES_FILE" | tr -s ' \n' '\n' | sed '/^$/d' | paste -sd, -)"
inputs="$( { cat "$0" hack/image-tar.sh "$MODULES_FILE" "$JDK/release"; dpkg-query -W "${PACKAGES[@]}"; } | sha256sum | cut -d' ' -f1)"
if [[ -f "$OUT" && "$(cat "$OUT.inputs" 2>/dev/null)" == "$inputs" ]]; then
  echo "$OUT"
  exit 0
fi

java_version="$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$JDK/release")"
ref="localhost/keepalive-operator/base-jre17:$java_version"
mkdir -p "$IMAGES_DIR"
work="$(mktemp -d "$IMAGES_DIR/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"

log "jlink $modules"
"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$modules" --output "$root/opt/java" \
  --strip-debug --no-header-files --no-man-pages --generate-cds-archive
# the archive for heaps over 32 GiB (no compressed oops): never used under a pod's memory limit
rm -f "$root/opt/java/lib/server/classes_nocoops.jsa"

# The shared libraries the runtime links from the system (ldd resolves them on this machine: the same Debian
# build), at the paths the dynamic loader searches without an ld.so.cache. Its own libraries it finds
# through $ORIGIN (which the loader resolves through /proc/self/exe: a container always has /proc).
libs="$(find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} + 2>/dev/null \
  | awk -v own="$root/" '$2 == "=>" && $3 ~ /^\// && index($3, own) != 1 {print $3} $1 ~ /^\/lib64\// {print $1}' \
  | sort -u)"
for lib in $libs; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

mkdir -p "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
# Named users make user.name/user.home sensible; home is /tmp, the only writable place (an emptyDir in a pod).
cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
keepalive:x:1001:1001:keepalive operator:/tmp:/sbin/nologin
nonroot:x:65532:65532:keepalive agent:/tmp:/sbin/nologin
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
keepalive:x:1001:
nonroot:x:65532:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
# nothing in the image is writable but /tmp (a pod mounts an emptyDir there; the root filesystem is read-only)
chmod -R go-w "$root"
chmod 1777 "$root/tmp"

hack/image-tar.sh "$root" "$ref" "$OUT" null null \
  '["PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]'
echo "$inputs" > "$OUT.inputs"
log "$ref: $OUT ($(du -h "$OUT" | cut -f1), runtime $(du -sh "$root/opt/java" | cut -f1))"
echo "$OUT"
