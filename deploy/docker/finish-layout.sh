#!/usr/bin/env bash
# The image's last build step, kept in a script so that the image-layout test (ImageLayoutIT) runs exactly
# what `docker build` runs: writes the class-path lists bin/stagewise reads next to the jar, from the runtime
# jars in lib/, and creates the writable DJL cache.
#   finish-layout.sh HOME DJL_CACHE
set -euo pipefail
home="$1"; cache="$2"
jars=("$home"/lib/*.jar)
[ -f "${jars[0]}" ] || { echo "finish-layout.sh: no jars in $home/lib" >&2; exit 2; }
(IFS=,; echo "${jars[*]}") > "$home/classpath-cluster.txt"
cp "$home/classpath-cluster.txt" "$home/classpath-local.txt"
mkdir -p "$cache" && chmod 1777 "$cache"
