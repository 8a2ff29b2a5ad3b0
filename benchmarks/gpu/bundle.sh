#!/usr/bin/env bash
# Builds what the GPU machine needs into target/gpu-bundle (it has no JDK and no network):
#   runtime/              a jlink Java runtime, without java.desktop (reports and plots are drawn back here)
#   lib/                  prune4j-bindings, -core, -cuda (which carries libprune4j.so) and -benchmarks jars,
#                         lib/deps/ the benchmarks' runtime dependencies (JMH, jackson-jr),
#                         junit-platform-console-standalone.jar
#   test-classes/cuda     java/cuda's compiled tests (the gpu tests), test-classes/bindings the bindings' tests,
#                         lib/prune4j-core-tests.jar core's test fixtures (dev.prune4j.testing)
#   BUNDLE.txt            what was bundled, from which commit
# and fails unless the bundle plus the working tree that travels with it stays under the device tool's
# 64 MiB. Carry it with the device tool's carry ["target/gpu-bundle"] and run `bash benchmarks/gpu/run.sh`.
#
# usage: bash benchmarks/gpu/bundle.sh [--skip-build]
#   --skip-build  reuse the jars of a build that just ran (CI runs `mvn -B verify` first); the Maven
#                 step then only copies dependencies
# Needs native/build/libprune4j.so (bash native/build.sh) before the build, so the cuda jar carries it.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
bundle="${PRUNE4J_BUNDLE_DIR:-$root/target/gpu-bundle}"
# The JDK whose jlink makes the runtime: PRUNE4J_JDK, else the first JDK 25 or later under /usr/lib/jvm.
jdk="${PRUNE4J_JDK:-}"
if [ -z "$jdk" ]; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    v="$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
    if [ -x "$candidate/bin/jlink" ] && [ -n "$v" ] && [ "$v" -ge 25 ]; then
      jdk="$candidate"
      break
    fi
  done
fi
junit_platform=1.14.1  # the platform release of JUnit Jupiter 5.14.1 (parent pom)
limit=$((64 * 1024 * 1024))
skip_build=0
[ "${1:-}" = --skip-build ] && skip_build=1
start=$(date +%s)

if [ -z "$jdk" ] || [ ! -x "$jdk/bin/jlink" ]; then
  echo "bundle: no JDK 25 with jlink found under /usr/lib/jvm; point PRUNE4J_JDK at one" >&2
  exit 1
fi
if [ ! -f native/build/libprune4j.so ]; then
  echo "bundle: native/build/libprune4j.so is missing: run bash native/build.sh first" >&2
  exit 1
fi

mvn_flags=(-B -q -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -DskipTests)
deps="$bundle.deps"
rm -rf "$deps"
# copy-dependencies resolves the reactor's own jars from this build; with --skip-build the compile
# phase (incremental, nothing to do after a build) is enough for that, and the jars are the ones the
# build left in the target folders.
phase=package
[ "$skip_build" -eq 1 ] && phase=compile
mvn "${mvn_flags[@]}" -pl benchmarks -am "$phase" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DexcludeGroupIds=dev.prune4j -DoutputDirectory="$deps"

one_jar() { # the main jar of a module folder (not sources, javadoc, tests or shaded); empty if none
  find "$1/target" -maxdepth 1 -name 'prune4j-*.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' \
    ! -name '*-tests.jar' ! -name 'prune4j-benchmarks.jar' ! -name '*-all.jar' 2>/dev/null | sort | head -1
}

if [ "$skip_build" -eq 1 ]; then
  # Reused jars must hold what the classes hold: a jar older than its module's classes is stale.
  for m in bindings java/core java/cuda java/models benchmarks; do
    jar="$(one_jar "$m")"
    if [ -z "$jar" ] || [ -n "$(find "$m/target/classes" -type f -newer "$jar" 2>/dev/null | head -1)" ]; then
      echo "bundle: ${jar:-the $m jar} is missing or older than $m/target/classes: build it (run without --skip-build)" >&2
      exit 1
    fi
  done
fi

rm -rf "$bundle"
mkdir -p "$bundle/lib/deps" "$bundle/test-classes"
cp "$(one_jar bindings)" "$bundle/lib/prune4j-bindings.jar"
cp "$(one_jar java/core)" "$bundle/lib/prune4j-core.jar"
cp "$(one_jar java/cuda)" "$bundle/lib/prune4j-cuda.jar"
# The benchmarks module links the models (GenerationBench's SmolLM2, which the suite asks about even
# where it leaves the benchmark out).
cp "$(one_jar java/models)" "$bundle/lib/prune4j-models.jar"
# The thin benchmarks jar: the shaded one would carry core, cuda and libprune4j.so a second time.
cp "$(one_jar benchmarks)" "$bundle/lib/prune4j-benchmarks.jar"
cp "$(ls java/core/target/prune4j-core-*-tests.jar | head -1)" "$bundle/lib/prune4j-core-tests.jar"
cp "$deps"/*.jar "$bundle/lib/deps/"
rm -rf "$deps"
cp -r java/cuda/target/test-classes "$bundle/test-classes/cuda"
cp -r bindings/target/test-classes "$bundle/test-classes/bindings"

# The cuda jar must carry the library, or every gpu test would skip for want of it.
if ! "$jdk/bin/jar" tf "$bundle/lib/prune4j-cuda.jar" | grep -qx 'META-INF/native/linux-x86_64/libprune4j.so'; then
  echo "bundle: $(one_jar java/cuda) does not carry libprune4j.so (build after bash native/build.sh)" >&2
  exit 1
fi
for c in dev/prune4j/cuda/CudaEngineGpuTest dev/prune4j/cuda/CudaLinearKernelsGpuTest dev/prune4j/cuda/CudaMethodKernelsGpuTest \
    dev/prune4j/bindings/LibraryCallsTest; do
  if ! ls "$bundle"/test-classes/*/"$c.class" > /dev/null 2>&1; then
    echo "bundle: test class $c is missing (were the tests compiled?)" >&2
    exit 1
  fi
done

junit_jar="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$junit_platform/junit-platform-console-standalone-$junit_platform.jar"
if [ ! -f "$junit_jar" ]; then
  mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get \
    -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" -Dtransitive=false
fi
cp "$junit_jar" "$bundle/lib/junit-platform-console-standalone.jar"

# java.logging: java.util.logging (Engines, JUnit); java.management: JMH; java.xml: JUnit's XML
# reports; jdk.unsupported: JMH; jdk.incubator.vector: the CPU kernels. No java.desktop: nothing on
# the device draws (about 15 MB more, which would break the size limit).
"$jdk/bin/jlink" \
  --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
  --output "$bundle/runtime"
# libjvm.so keeps its symbol table (5 MB of 29): strip what dynamic linking does not need. The dry
# run then starts every stage on this runtime, so a broken strip cannot reach a device.
if command -v strip > /dev/null; then
  strip --strip-unneeded "$bundle/runtime/lib/server/libjvm.so"
fi

{
  echo "prune4j gpu bundle"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  echo "runtime: $("$bundle/runtime/bin/java" -version 2>&1 | head -1), modules: $("$bundle/runtime/bin/java" --list-modules | tr '\n' ' ')"
  (cd "$bundle" && find lib -name '*.jar' | sort)
} > "$bundle/BUNDLE.txt"

size=$(du -sb "$bundle" | cut -f1)
# What the device tool sends besides the carried bundle: tracked files and untracked ones git does
# not ignore (the ignored build outputs stay here).
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r du -cb 2>/dev/null | tail -1 | cut -f1)
total=$((size + ${tree:-0}))
echo "gpu bundle: $bundle, $((size / 1024 / 1024)) MiB ($size bytes); working tree $((${tree:-0} / 1024)) KiB;" \
  "together $((total / 1024 / 1024)) MiB of the 64 MiB limit ($(( $(date +%s) - start )) s)"
du -sh "$bundle"/* | sed 's/^/  /'
if [ "$total" -ge "$limit" ]; then
  echo "bundle: the bundle and the working tree together are over the device tool's 64 MiB" >&2
  exit 1
fi
