#!/usr/bin/env bash
# Builds everything the GPU machine needs into target/gpu-bundle (ARCHITECTURE.md "GPU workflow"):
# libprune4j.so, the bindings, core and benchmarks jars (the core jar carries the .so), the compiled test
# classes, JUnit's console launcher, and a small Java runtime made with jlink, since the GPU
# machine has no JDK and no network. Send it with the device tool's carry ["target/gpu-bundle"]
# (it must stay under 64 MiB) and run benchmarks/gpu/run.sh there.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
bundle="$root/target/gpu-bundle"
jdk="${PRUNE4J_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
junit_platform=1.14.1  # the platform release of JUnit Jupiter 5.14.1 (parent pom)
limit=$((64 * 1024 * 1024))

bash native/build.sh
mvn -B -q -pl java,benchmarks -am package -DskipTests

rm -rf "$bundle"
mkdir -p "$bundle/lib" "$bundle/test-classes"
cp native/build/libprune4j.so "$bundle/"
cp bindings/target/prune4j-bindings-*.jar "$bundle/lib/prune4j-bindings.jar"
core_jar="$(ls java/target/prune4j-core-*.jar | grep -v -- '-cli\.jar$' | head -1)"
cp "$core_jar" "$bundle/lib/prune4j-core.jar"
if ! unzip -l "$bundle/lib/prune4j-core.jar" | grep -q 'META-INF/native/linux-x86_64/libprune4j.so'; then
  echo "bundle: $core_jar does not carry libprune4j.so" >&2
  exit 1
fi
bench_jar="$(ls benchmarks/target/prune4j-benchmarks-*.jar | grep -v -- '-sources\.jar$' | head -1)"
cp "$bench_jar" "$bundle/lib/prune4j-benchmarks.jar"
cp -r java/target/test-classes "$bundle/test-classes/core"
cp -r bindings/target/test-classes "$bundle/test-classes/bindings"
mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
  -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
  -DoutputDirectory="$bundle/lib" -Dmdep.stripVersion=true

# --- benchmarks (issue 6): the JMH suite for run.sh's quick GPU benchmarks. The thin benchmarks jar
# and its own dependencies (JMH), not the shaded jar, which would carry libprune4j.so a second time.
# (One Maven call: copy-dependencies resolves prune4j-core's bindings jar from the same reactor.)
mvn -B -q -pl benchmarks -am -DskipTests package \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DexcludeGroupIds=dev.prune4j -DoutputDirectory="$bundle/lib/bench"
cp "$(ls benchmarks/target/prune4j-benchmarks-*.jar | grep -v -- '-sources\.jar$' | head -1)" \
  "$bundle/lib/prune4j-benchmarks.jar"
# --- end benchmarks ---

# java.logging: java.util.logging (Engines, JUnit); java.xml: JUnit's XML reports.
"$jdk/bin/jlink" \
  --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
  --output "$bundle/runtime"

size=$(du -sb "$bundle" | cut -f1)
echo "gpu bundle: $bundle, $((size / 1024 / 1024)) MiB ($size bytes)"
du -sh "$bundle"/* | sed 's/^/  /'
if [ "$size" -ge "$limit" ]; then
  echo "bundle: over the device tool's 64 MiB carry limit" >&2
  exit 1
fi
