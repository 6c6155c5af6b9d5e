#!/usr/bin/env bash
# Can DJL's PyTorch engine hold and train through bf16 tensors? Runs each check of Bf16Probe.java in its own
# JVM (a failing check terminates the JVM) for each DJL / libtorch pair, then asks Maven Central which CUDA
# native jars exist for each libtorch version. See README.md for what each check does.
#
#   bench/bf16-probe/run.sh                          # the project's pair (from pom.xml) and 0.36.0 / 2.7.1
#   bench/bf16-probe/run.sh 0.35.1/2.7.1 0.33.0/2.5.1   # DJL/libtorch pairs of your choice
#
# Prints key=value lines: <pair>_<check>=ok|wrong|terminated (exit N) with the check's own words, and
# cuda_native_<artifact>_<libtorch>=resolves|absent. Needs network access for pairs not in ~/.m2; installs
# nothing but the release jars Maven downloads into ~/.m2.
bench_name=bench/bf16-probe
source "$(dirname "$0")/../reactor-classpath.sh"
cd "$repo"
command -v java >/dev/null || fail "java is not on the PATH; the probe needs Java 17 (apt-get install openjdk-17-jdk-headless)"
command -v mvn >/dev/null || fail "mvn is not on the PATH; the probe needs Maven (apt-get install maven)"

pom_property() {
  sed -n "s|.*<$1>\(.*\)</$1>.*|\1|p" pom.xml | head -1
}
pairs=("$@")
if [[ ${#pairs[@]} -eq 0 ]]; then
  pairs=("$(pom_property djl.version)/$(pom_property pytorch.version)" 0.36.0/2.7.1)
fi
checks=(zeros to_bf16_and_back bf16_matmul autograd_fp32_master scripted_matmul_autograd scripted_attention_autograd
  scripted_gemm_rates)

# The engine, its JNI jar and the CPU natives of one pair, with their dependencies, as a classpath.
pair_classpath() {
  local djl="$1" torch="$2" dir="$scratch/pom-$1-$2"
  mkdir -p "$dir"
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.stagewise.bench</groupId><artifactId>bf16-probe</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>ai.djl.pytorch</groupId><artifactId>pytorch-engine</artifactId><version>$djl</version></dependency>
    <dependency><groupId>ai.djl.pytorch</groupId><artifactId>pytorch-jni</artifactId><version>$torch-$djl</version></dependency>
    <dependency><groupId>ai.djl.pytorch</groupId><artifactId>pytorch-native-cpu</artifactId><version>$torch</version>
      <classifier>linux-x86_64</classifier></dependency>
  </dependencies>
</project>
POM
  (cd "$dir" && mvn -B -q dependency:build-classpath -Dmdep.outputFile=classpath.txt) >&2 \
    || fail "DJL $djl with libtorch $torch does not resolve (Maven's messages are above)"
  cat "$dir/classpath.txt"
}

for pair in "${pairs[@]}"; do
  [[ "$pair" == */* ]] || fail "a pair is DJL/libtorch, like 0.36.0/2.7.1, not '$pair'"
  djl="${pair%/*}" torch="${pair#*/}"
  classpath="$(pair_classpath "$djl" "$torch")"
  # The probe writes its scripted modules with the trainer's own ScriptArchive, compiled against this pair.
  classes="$scratch/classes-$djl-$torch"
  mkdir -p "$classes"
  javac -d "$classes" -cp "$classpath" "$repo/bench/bf16-probe/Bf16Probe.java" \
    "$repo/trainer/src/main/java/io/stagewise/trainer/model/precision/ScriptArchive.java" \
    || fail "Bf16Probe.java does not compile against DJL $djl / libtorch $torch"
  for check in "${checks[@]}"; do
    # Offline: DJL must use the native jar on the classpath, never download libtorch.
    status=0
    output="$(java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
      -cp "$classes:$classpath" Bf16Probe "$check" 2>&1)" || status=$?
    last="$(grep -v -e '^\[' -e '^SLF4J' <<<"$output" | tail -1)"
    case "$status" in
      0 | 3) echo "djl_${djl}_pytorch_${torch}_${check}=${last}" ;;
      134) echo "djl_${djl}_pytorch_${torch}_${check}=terminated (exit 134: ${last})" ;;
      *) echo "$output" >&2; fail "check $check on DJL $djl / libtorch $torch failed to run (exit $status)" ;;
    esac
  done
done

# Which GPU builds of each libtorch version Maven Central serves (DJL downloads natives at run time otherwise,
# which offline runs forbid).
for torch in $(printf '%s\n' "${pairs[@]#*/}" | sort -u); do
  for cuda in cu118 cu121 cu124 cu126 cu128; do
    if mvn -B -q dependency:get -Dtransitive=false \
        -Dartifact="ai.djl.pytorch:pytorch-native-$cuda:$torch:jar:linux-x86_64" >/dev/null 2>&1; then
      echo "cuda_native_pytorch-native-${cuda}_${torch}=resolves"
    else
      echo "cuda_native_pytorch-native-${cuda}_${torch}=absent"
    fi
  done
done
