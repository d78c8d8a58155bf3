#!/usr/bin/env bash
# The container images of the single-node test cluster, built here without Docker or a registry:
# OCI image archives that `ctr -n k8s.io images import` takes (pinned tags, so pods find them
# already there under the default pull policy). Everything is cached under $FLEET_CACHE/images,
# keyed by what went into it, so a warm run costs seconds; artefacts are written under
# temporary names and renamed when complete.
#
#   pause     kubelet's sandbox image: pause.c from k8s.io/kubernetes, compiled static
#   keycloak  Debian base layer + the Keycloak distribution, set up like quay.io/keycloak/keycloak
#   postgres  Debian base layer + an entrypoint of ours honouring the official postgres image's
#             environment (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA)
#   traefik   Traefik's static binary alone, once setup.sh has built it (--cluster-tools)
#
# The two server images share the Debian root filesystem as their first layer, stored
# uncompressed: no time goes into gzip, and containerd stores the shared layer once.
#
# Usage: images.sh   prints "NAME=<image ref> <archive path>" per image on stdout,
# progress on stderr. Sourced, it defines ensure_cluster_images, which prints the same lines.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGES_CACHE=$FLEET_CACHE/images
IMAGE_REPO=localhost/keycloak-fleet
DEBIAN_MIRROR=http://deb.debian.org/debian
BASE_PACKAGES="openjdk-$IMAGE_JAVA_MAJOR-jre-headless postgresql-$IMAGE_POSTGRES_MAJOR"
# The dpkg architecture names amd64 and arm64 are also the OCI ones.
IMAGE_ARCH=$(dpkg --print-architecture)
SYSTEM_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# key TEXT...: 12 hex digits of a sha256 over TEXT. Each piece is keyed by its versions, its inputs
# and the source of the function that builds it (`declare -f`), so editing a recipe rebuilds
# exactly the pieces it affects.
key() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }

# publish TMP FINAL: rename a finished artefact into place (the commit point: until then only a
# *.tmp name exists), then drop older builds of the same piece, which differ only in their key.
publish() {
  mv "$1" "$2"
  local stale
  for stale in "${2%-*}"-????????????."${2##*.}"; do
    [ "$stale" = "$2" ] || rm -f "$stale" "$stale.sha256"
  done
}

# layer NAME KEY BUILDER: print the path of the cached layer tar NAME-KEY.tar, calling
# `BUILDER TARFILE` to make it when missing. Layers are uncompressed, so the sha256 kept beside
# the tar (NAME-KEY.tar.sha256) is both its OCI digest and its diff ID.
layer() {
  local name=$1 layer_key=$2 builder=$3
  local out=$IMAGES_CACHE/layers/$name-$layer_key.tar tmp=$WORK/$name.tar
  if [ ! -f "$out" ]; then
    step "layer $name ($layer_key)"
    "$builder" "$tmp" >&2
    sha256sum "$tmp" | cut -d' ' -f1 >"$out.sha256"
    publish "$tmp" "$out"
    done_step "$(du -h "$out" | cut -f1)"
  fi
  echo "$out"
}

# ---- pause ----------------------------------------------------------------------------------

# pause_source: the k8s.io/kubernetes module's build/pause directory.
pause_source() {
  local dir
  dir=$(go env GOMODCACHE)/k8s.io/kubernetes@v$KUBERNETES_VERSION
  if [ ! -f "$dir/build/pause/linux/pause.c" ]; then
    dir=$(cd "$WORK" && go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  fi
  [ -f "$dir/build/pause/linux/pause.c" ] || fail "no build/pause/linux/pause.c in k8s.io/kubernetes@v$KUBERNETES_VERSION"
  echo "$dir/build/pause"
}

# Compiled as build/pause/Makefile does, with the version its TAG names; owned by root, fixed mtime.
build_pause_layer() {
  local dir=$WORK/pause version
  version=$(sed -n 's/^TAG ?= //p' "$PAUSE_SOURCE/Makefile")
  mkdir -p "$dir"
  gcc -Os -Wall -Werror -static -DVERSION="v$version-k8s-v$KUBERNETES_VERSION" -o "$dir/pause" "$PAUSE_SOURCE/linux/pause.c"
  strip "$dir/pause"
  tar -C "$dir" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$1" pause
}

# ---- Debian base ----------------------------------------------------------------------------

# The root filesystem both server images start from: a minimal Debian with the JRE and
# PostgreSQL, trimmed of what a container never uses.
build_base_layer() {
  local root=$WORK/rootfs debs=$IMAGES_CACHE/debs
  mkdir -p "$debs"
  # Its own mount namespace: the /proc and /sys debootstrap mounts in the target vanish with it,
  # even when it is interrupted. --cache-dir keeps the .debs for the next recipe change. Its
  # 700 lines of progress go to a log, shown when it fails.
  unshare --mount debootstrap --variant=minbase --cache-dir="$debs" --include="${BASE_PACKAGES// /,}" \
    "$IMAGE_DEBIAN_SUITE" "$root" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
  # The official postgres image runs PostgreSQL as uid/gid 999 (pods set fsGroup: 999); Debian
  # picked another system id. Files keep their owner by name.
  local uid gid
  uid=$(chroot "$root" id -u postgres) gid=$(chroot "$root" id -g postgres)
  chroot "$root" groupmod -g 999 postgres
  chroot "$root" usermod -u 999 postgres
  find "$root" -xdev -uid "$uid" -exec chown -h 999 {} +
  find "$root" -xdev -gid "$gid" -exec chgrp -h 999 {} +
  # Keycloak's user, as in the official image: uid 1000 in group 0, home /opt/keycloak.
  echo 'keycloak:x:1000:0:keycloak user:/opt/keycloak:/sbin/nologin' >>"$root/etc/passwd"
  # PostgreSQL's JIT (llvmjit.so) pulls in LLVM and Z3, 130 MB that Keycloak's short queries
  # never use; without the provider file PostgreSQL just runs without JIT.
  local jit
  # shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
  mapfile -t jit < <(chroot "$root" dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'libllvm*' 'libz3-*' | awk '$1 == "ii" { print $2 }')
  chroot "$root" dpkg --purge --force-depends "${jit[@]}" >/dev/null 2>&1
  rm -rf "$root/usr/lib/postgresql/$IMAGE_POSTGRES_MAJOR/lib/llvmjit"* "$root/usr/lib/postgresql/$IMAGE_POSTGRES_MAJOR/lib/bitcode"
  # Debian's postgresql-15 created a cluster "main"; the entrypoint makes its own in PGDATA.
  rm -rf "$root"/etc/postgresql/* "$root"/var/lib/postgresql/* "$root"/var/log/postgresql/*
  # Nothing here runs apt, reads docs or needs the build host's name and resolver; the runtime
  # provides /etc/hostname, /etc/hosts and /etc/resolv.conf.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/var/tmp/* \
    "$root"/etc/hostname "$root"/etc/resolv.conf
  # Device nodes come from the runtime (a /dev tmpfs), not from the image.
  tar -C "$root" --numeric-owner --sort=name --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf "$1" .
  rm -rf --one-file-system "$root"
}

# ---- keycloak -------------------------------------------------------------------------------

# /opt/keycloak from the verified distribution tarball setup.sh downloaded (not $KEYCLOAK_HOME
# itself, which local runs of start-dev change), as the official image has it: owned by uid
# 1000, group 0 and group-writable, so `start` can re-augment into lib/ when build options change.
build_keycloak_layer() {
  local root=$WORK/keycloak-root
  mkdir -p "$root" && tar -C "$root" -xf "$BASE_LAYER"
  mkdir "$root/opt/keycloak"
  tar -C "$root/opt/keycloak" -xzf "$KEYCLOAK_ARCHIVE" --strip-components=1 --no-same-owner
  chown -R 1000:0 "$root/opt/keycloak"
  # Augment once here, with the image's own JRE and the build options the cluster's Deployment
  # sets (src/platform/kubernetes/keycloak.ts): its plain `start` then finds nothing to rebuild.
  # shellcheck disable=SC2016 # $1 and $2 belong to the inner sh
  unshare --mount --pid --fork --mount-proc="$root/proc" sh -c '
    mount --bind /dev "$1/dev" && exec chroot --userspec=1000:0 "$1" env -i PATH="$2" LANG=C.UTF-8 \
      HOME=/opt/keycloak KC_RUN_IN_CONTAINER=true \
      /opt/keycloak/bin/kc.sh build --db=postgres --health-enabled=true --metrics-enabled=true' \
    sh "$root" "$SYSTEM_PATH"
  chmod -R g+rwX "$root/opt/keycloak"
  tar -C "$root" --numeric-owner --sort=name -cf "$1" opt/keycloak
  rm -rf --one-file-system "$root"
}

# ---- postgres -------------------------------------------------------------------------------

# Our entrypoint (not a copy of the official docker-entrypoint.sh), under the official name so
# commands that call it by name keep working.
postgres_entrypoint() {
  cat <<'EOF'
#!/bin/sh
# keycloak-fleet's PostgreSQL entrypoint, after the official postgres image's contract:
# POSTGRES_PASSWORD (required to create a database), POSTGRES_USER (default postgres),
# POSTGRES_DB (default $POSTGRES_USER), PGDATA (default /var/lib/postgresql/data).
# No command or flags only: run the server. Any other command (pg_dump, sh -c ...) runs instead.
set -eu
[ "$#" -gt 0 ] || set -- postgres
case "$1" in -*) set -- postgres "$@" ;; esac
[ "$1" = postgres ] || exec "$@"

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ "$(id -u)" = 0 ]; then
  # A fresh volume belongs to root: hand the data and socket directories to postgres, then start
  # over as postgres. setpriv execs, so the server ends up with this PID and gets the signals.
  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  find "$PGDATA" /var/run/postgresql ! -user postgres -exec chown postgres:postgres {} +
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?must be set to initialise $PGDATA}"
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # UTF-8 without generated locales (C.UTF-8 is built into glibc); the local socket is trusted,
  # every TCP client needs the password.
  initdb --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256
  rm -f "$pwfile"
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [ "$db" != postgres ]; then
    # A server on the socket only, just long enough to create the database.
    pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait start
    psql --no-psqlrc --set=ON_ERROR_STOP=1 --username="$user" --dbname=postgres --set=db="$db" <<'SQL'
CREATE DATABASE :"db";
SQL
    pg_ctl --pgdata="$PGDATA" --mode=fast --wait stop
  fi
fi
exec "$@"
EOF
}

build_postgres_layer() {
  local dir=$WORK/postgres
  mkdir -p "$dir/usr/local/bin"
  postgres_entrypoint >"$dir/usr/local/bin/docker-entrypoint.sh"
  chmod 0755 "$dir/usr/local/bin/docker-entrypoint.sh"
  tar -C "$dir" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$1" usr/local/bin/docker-entrypoint.sh
}

# ---- traefik --------------------------------------------------------------------------------

build_traefik_layer() {
  local dir=$WORK/traefik
  mkdir -p "$dir"
  cp "$TRAEFIK_HOME/traefik" "$dir/traefik"
  tar -C "$dir" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$1" traefik
}

# ---- OCI archives ---------------------------------------------------------------------------

# blob DIR CONTENT: store CONTENT under its sha256 in the layout DIR, print its digest.
blob() {
  local digest
  digest=$(printf %s "$2" | sha256sum | cut -d' ' -f1)
  printf %s "$2" >"$1/blobs/sha256/$digest"
  echo "sha256:$digest"
}

# oci_archive NAME TAG RUNCONFIG LAYER...: print "NAME=<ref> <archive>" for the image
# $IMAGE_REPO/NAME:TAG (RUNCONFIG: the "config" object of its image config, JSON) made of LAYERs,
# bottom first. The archive is named by its manifest's digest and made only when missing.
oci_archive() {
  local name=$1 tag=$2 runconfig=$3
  shift 3
  local ref=$IMAGE_REPO/$name:$tag layer digest layers="" diff_ids=""
  for layer; do
    digest=sha256:$(cat "$layer.sha256")
    layers+=${layers:+,}$(printf '{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}' "$digest" "$(stat -c %s "$layer")")
    diff_ids+=${diff_ids:+,}\"$digest\"
  done
  local config manifest
  config=$(printf '{"architecture":"%s","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]}}' "$IMAGE_ARCH" "$runconfig" "$diff_ids")
  manifest=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$(printf %s "$config" | sha256sum | cut -d' ' -f1)" "${#config}" "$layers")
  local archive
  archive=$IMAGES_CACHE/$name-$tag-$(printf %s "$manifest" | sha256sum | cut -c1-12).tar
  if [ ! -f "$archive" ]; then
    step "image $ref"
    local dir=$WORK/oci-$name
    mkdir -p "$dir/blobs/sha256"
    blob "$dir" "$config" >/dev/null
    digest=$(blob "$dir" "$manifest")
    # Hard links: the layers are copied once, into the archive.
    for layer; do ln -f "$layer" "$dir/blobs/sha256/$(cat "$layer.sha256")"; done
    echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
    # containerd names the image after io.containerd.image.name, other tools after ref.name.
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
      "$digest" "${#manifest}" "$IMAGE_ARCH" "$ref" "$ref" >"$dir/index.json"
    tar -C "$dir" -cf "$archive.tmp" oci-layout index.json blobs
    publish "$archive.tmp" "$archive"
    rm -rf "$dir"
    done_step "$(du -h "$archive" | cut -f1)"
  fi
  echo "$name=$ref $archive"
}

# ---- all together ---------------------------------------------------------------------------

# ensure_cluster_images: build what is missing, print "NAME=<image ref> <archive path>" per
# image. Runs in a subshell (its own traps, lock and errexit) and holds a lock on the cache, so
# concurrent runs wait for each other instead of racing on the same files.
ensure_cluster_images() (
  set -euo pipefail
  shopt -s inherit_errexit
  mkdir -p "$IMAGES_CACHE/layers"
  exec 9>"$IMAGES_CACHE/.lock"
  flock -n 9 || { echo "    waiting for another images.sh" >&2; flock 9; }
  # Leftovers of an interrupted run never count: only completed artefacts have final names.
  rm -f "$IMAGES_CACHE"/*.tmp
  find "$IMAGES_CACHE" -maxdepth 1 -name 'work.*' -exec rm -rf --one-file-system {} +
  WORK=$(mktemp -d "$IMAGES_CACHE/work.XXXXXX")
  trap 'rm -rf --one-file-system "$WORK"' EXIT

  apt_install debootstrap debootstrap
  apt_install gcc gcc
  apt_install /usr/include/stdio.h libc6-dev

  PAUSE_SOURCE=$(pause_source)
  local pause
  pause=$(layer pause "$(key "$KUBERNETES_VERSION" "$(cat "$PAUSE_SOURCE/Makefile" "$PAUSE_SOURCE/linux/pause.c" | sha256sum)" "$(gcc --version | head -n 1)" "$(declare -f build_pause_layer)")" build_pause_layer)
  oci_archive pause "$PAUSE_IMAGE_TAG" '{"User":"65535:65535","Entrypoint":["/pause"]}' "$pause"

  BASE_LAYER=$(layer "debian-$IMAGE_DEBIAN_SUITE" "$(key "$IMAGE_DEBIAN_SUITE" "$BASE_PACKAGES" "$(declare -f build_base_layer)")" build_base_layer)
  local base_digest
  base_digest=$(cat "$BASE_LAYER.sha256")

  local keycloak_key
  keycloak_key=$(key "$KEYCLOAK_VERSION" "$KEYCLOAK_SHA512" "$base_digest" "$(declare -f build_keycloak_layer)")
  KEYCLOAK_ARCHIVE=$FLEET_CACHE/downloads/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz
  if [ ! -f "$IMAGES_CACHE/layers/keycloak-$KEYCLOAK_VERSION-$keycloak_key.tar" ]; then
    # setup.sh (maybe still running alongside) downloads and verifies the distribution.
    local waited=0
    until [ -x "$KEYCLOAK_HOME/bin/kc.sh" ]; do
      ((waited++ < 90)) || fail "no Keycloak in $KEYCLOAK_HOME after 15 minutes; run toolchain/setup.sh"
      echo "    waiting for setup.sh to provide Keycloak" >&2
      sleep 10
    done
    echo "$KEYCLOAK_SHA512  $KEYCLOAK_ARCHIVE" | sha512sum --check --status ||
      fail "$KEYCLOAK_ARCHIVE is missing or does not match KEYCLOAK_SHA512; run toolchain/setup.sh"
  fi
  local keycloak
  keycloak=$(layer "keycloak-$KEYCLOAK_VERSION" "$keycloak_key" build_keycloak_layer)
  # As quay.io/keycloak/keycloak: uid 1000, and KC_RUN_IN_CONTAINER, with which kc.sh sizes the
  # heap from the container's memory limit (70%) instead of a fixed 512 MB.
  oci_archive keycloak "$KEYCLOAK_VERSION" "$(printf '{"User":"1000","Entrypoint":["/opt/keycloak/bin/kc.sh"],"WorkingDir":"/opt/keycloak","Env":["PATH=%s","LANG=C.UTF-8","JAVA_HOME=/usr/lib/jvm/java-%s-openjdk-%s","KC_RUN_IN_CONTAINER=true"],"ExposedPorts":{"8080/tcp":{},"8443/tcp":{},"9000/tcp":{}}}' \
    "$SYSTEM_PATH" "$IMAGE_JAVA_MAJOR" "$IMAGE_ARCH")" "$BASE_LAYER" "$keycloak"

  local postgres
  postgres=$(layer postgres-entrypoint "$(key "$(postgres_entrypoint)" "$(declare -f build_postgres_layer)")" build_postgres_layer)
  # Root at first (the entrypoint drops to postgres), SIGINT for a fast shutdown, as officially.
  oci_archive postgres "$IMAGE_POSTGRES_MAJOR" "$(printf '{"Entrypoint":["/usr/local/bin/docker-entrypoint.sh"],"Cmd":["postgres"],"Env":["PATH=/usr/lib/postgresql/%s/bin:%s","LANG=C.UTF-8","PGDATA=/var/lib/postgresql/data"],"ExposedPorts":{"5432/tcp":{}},"Volumes":{"/var/lib/postgresql/data":{}},"StopSignal":"SIGINT"}' \
    "$IMAGE_POSTGRES_MAJOR" "$SYSTEM_PATH")" "$BASE_LAYER" "$postgres"

  if [ -x "$TRAEFIK_HOME/traefik" ]; then
    local traefik
    traefik=$(layer "traefik-$TRAEFIK_VERSION" "$(key "$(sha256sum <"$TRAEFIK_HOME/traefik")" "$(declare -f build_traefik_layer)")" build_traefik_layer)
    # The non-root user of Traefik's Helm chart; no shell, no files besides the binary.
    oci_archive traefik "$TRAEFIK_VERSION" '{"User":"65532:65532","Entrypoint":["/traefik"],"ExposedPorts":{"8443/tcp":{},"8080/tcp":{}}}' "$traefik"
  fi
)

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  started=$SECONDS
  ensure_cluster_images "$@"
  printf '==> images ready in %ss\n' "$((SECONDS - started))" >&2
fi
