#!/usr/bin/env bash
# The two jars: /tmp/q/gen-before.jar = `mvn -o -q -DskipTests -pl benchmarks -am package` of main at 4f14fd6
# (the start of this session: one-stream decode rows, 2:4 decompressed for the dense tiles from 32 tokens)
# with aac836e's GenerationBench.java applied (the prefill method did not exist yet); /tmp/q/gen-after.jar =
# the same build of aac836e (four-stream decode rows ba3801b, 2:4 token lanes e649110/f487982). Run on the
# 2-core EPYC with no other job of ours running; the log has the load before each JVM.
# SmolLM2-135M generation (token) and 512-token prefill, dense and 2:4: before (main 4f14fd6 + the prefill
# benchmark method) and after (ba3801b + the same), alternating; JMH -wi 1 -w 5 -i 3 -r 5 -f 1.
export PRUNE4J_PYTHON=$HOME/.cache/prune4j/venv/bin/python
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for spec in "1 before" "1 after" "2 after" "2 before"; do
  set -- $spec; round=$1; v=$2
  echo "== $v round $round $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  $J --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp /tmp/q/gen-$v.jar org.openjdk.jmh.Main \
    'GenerationBench' -p engine=cpu -wi 1 -w 5 -i 3 -r 5 -f 1 -rf json -rff /tmp/q/gen/$v-$round.json 2>&1 | grep -E "GenerationBench\.(token|prefill) |Error|Exception"
done
echo "== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
