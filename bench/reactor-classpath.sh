# Sourced by every bench/*/run.sh, after it sets bench_name:
#
#   bench_name=bench/allreduce
#   source "$(dirname "$0")/../reactor-classpath.sh"
#   bench_classpath trainer          # sets $classpath
#
# Makes every failure loud: a failing step prints the benchmark's name, the command and its exit status on
# stderr, and the script exits with that status. Gives the script $repo (the checkout), $scratch (a temporary
# directory removed at exit) and bench_classpath, which builds what a benchmark runs from a fresh clone or any
# later state, installing nothing into the local Maven repository.
set -Eeuo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# Reported once, by the script's own shell, not again by each command substitution the failure passes through.
trap 'status=$?; (( BASH_SUBSHELL > 0 )) || echo "$bench_name: failed (exit $status): $BASH_COMMAND" >&2
  exit $status' ERR

fail() {
  echo "$bench_name: $*" >&2
  exit 1
}

# bench_classpath MODULE: compiles MODULE and its test classes with the Maven reactor, which compiles the
# modules it depends on as well and takes them from their target/ folders (`mvn -pl MODULE dependency:...` on
# its own would look for them in ~/.m2, where nothing is installed). Maven's output goes to stderr, never away.
# Then copies the class folders into $scratch, so that a build running meanwhile cannot change the classes
# under the benchmark's JVM, and sets $classpath: MODULE's classes and test classes, then its test-scope
# dependencies.
bench_classpath() {
  local module="$1"
  local listed="$repo/$module/target/bench.classpath"
  command -v java >/dev/null \
    || fail "java is not on the PATH; the benchmarks need Java 17 (apt-get install openjdk-17-jdk-headless)"
  command -v mvn >/dev/null || fail "mvn is not on the PATH; the benchmarks need Maven (apt-get install maven)"
  echo "$bench_name: compiling $module and the modules it needs (mvn -B -q -pl $module -am test-compile)" >&2
  rm -f "$listed"
  # A relative outputFile is resolved in each module of the reactor: every module writes its own list.
  (cd "$repo" && mvn -B -q -pl "$module" -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath) >&2 \
    || fail "building $module failed (Maven's messages are above)"
  [[ -s "$listed" ]] || fail "the build wrote no classpath to $listed"
  local dependencies entry copies=0
  local entries=()
  IFS=: read -r -a dependencies <<<"$(cat "$listed")"
  for entry in "$repo/$module/target/classes" "$repo/$module/target/test-classes" "${dependencies[@]}"; do
    if [[ -d "$entry" ]]; then
      cp -r "$entry" "$scratch/classes-$copies"
      entry="$scratch/classes-$copies"
      copies=$((copies + 1))
    elif [[ ! -f "$entry" ]]; then
      fail "the classpath Maven wrote names $entry, which does not exist"
    fi
    entries+=("$entry")
  done
  classpath="$(IFS=:; echo "${entries[*]}")"
}
