package dev.prune4j.safetensors;

import dev.prune4j.internal.json.Json;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * A model checkpoint folder as Hugging Face lays it out: one or more {@code *.safetensors} files,
 * optionally tied together by {@code model.safetensors.index.json}
 * ({@code {"metadata": {...}, "weight_map": {tensor: file}}}), beside config and tokenizer files.
 *
 * <p>With an index, exactly the files it names are the shards, and each must hold exactly the
 * tensors the index assigns to it. Without one, every {@code *.safetensors} file in the folder is
 * a shard and no tensor name may occur in two of them. All shards stay mapped until
 * {@link #close()}; tensors are zero-copy views on the mappings.
 *
 * <p>Only the folder's top level is read: sub-folders are neither shards nor {@link #otherFiles()}.
 * Symbolic links among its files are followed as {@link Links} says (by default only those that stay
 * inside the folder or its Hugging Face cache repository). With an index, a {@code *.safetensors}
 * file it does not list is ignored with a warning ({@link #ignoredFiles()}).
 */
public final class Checkpoint implements AutoCloseable {
    public static final String INDEX_FILE = "model.safetensors.index.json";
    static final String SUFFIX = ".safetensors";
    private static final Logger LOG = Logger.getLogger(Checkpoint.class.getName());

    private final Path dir;
    private final Map<Path, SafeTensorsFile> shards;      // in file-name order
    private final TreeMap<String, SafeTensorsFile> owner; // tensor name -> shard, sorted
    private final List<Path> otherFiles;
    private final List<Path> ignoredFiles;
    private final Map<String, Object> indexMetadata;      // null when there is no index

    private Checkpoint(Path dir, Map<Path, SafeTensorsFile> shards, TreeMap<String, SafeTensorsFile> owner,
                       List<Path> otherFiles, List<Path> ignoredFiles, Map<String, Object> indexMetadata) {
        this.dir = dir;
        this.shards = shards;
        this.owner = owner;
        this.otherFiles = otherFiles;
        this.ignoredFiles = ignoredFiles;
        this.indexMetadata = indexMetadata;
    }

    /** Opens and validates the checkpoint in {@code dir}, following only contained links ({@link Links#CONTAINED}). */
    public static Checkpoint open(Path dir) throws IOException {
        return open(dir, Links.CONTAINED);
    }

    /**
     * Opens and validates the checkpoint in {@code dir}; {@code links} says which symbolic links
     * among its files are followed (an other one fails the open, naming the link and its target).
     */
    public static Checkpoint open(Path dir, Links links) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new SafeTensorsException(dir, Files.exists(dir) ? "is not a folder" : "no such folder");
        }
        Path realDir = dir.toRealPath();
        List<Path> regular = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isRegularFile(p)) {
                    links.check(realDir, p);
                    regular.add(p);
                }
            }
        }
        Collections.sort(regular);
        Path index = dir.resolve(INDEX_FILE);
        Map<Path, SafeTensorsFile> shards = new LinkedHashMap<>();
        try {
            Map<String, Object> indexMetadata = null;
            TreeMap<String, SafeTensorsFile> owner;
            if (Files.isRegularFile(index)) {
                Map<String, Object> json = readIndex(index);
                indexMetadata = json.get("metadata") instanceof Map<?, ?> m ? castMap(m) : Map.of();
                owner = openIndexed(dir, index, json, shards);
            } else {
                owner = openUnindexed(dir, regular, shards);
            }
            List<Path> others = new ArrayList<>();
            List<Path> ignored = new ArrayList<>();
            for (Path p : regular) {
                if (shards.containsKey(p) || p.equals(index)) {
                    continue;
                }
                if (p.getFileName().toString().endsWith(SUFFIX)) {
                    // Weights the index does not list (a consolidated.safetensors beside the shards):
                    // neither pruned nor copied, and said so rather than copied unpruned.
                    ignored.add(p);
                    LOG.warning(p + ": not listed in " + INDEX_FILE + "; ignored (not read, not copied)");
                } else {
                    others.add(p);
                }
            }
            return new Checkpoint(dir, shards, owner, List.copyOf(others), List.copyOf(ignored), indexMetadata);
        } catch (IOException | RuntimeException | Error e) {
            shards.values().forEach(SafeTensorsFile::close);
            throw e;
        }
    }

    private static Map<String, Object> readIndex(Path index) throws IOException {
        String text = utf8(index, Files.readAllBytes(index));
        Map<String, Object> json;
        try {
            json = Json.parseObject(text);
        } catch (Json.JsonException e) {
            throw new SafeTensorsException(index, "not a valid JSON object: " + e.getMessage());
        }
        if (!(json.get("weight_map") instanceof Map<?, ?>)) {
            throw new SafeTensorsException(index, "has no \"weight_map\" object");
        }
        Object metadata = json.get("metadata");
        if (metadata != null && !(metadata instanceof Map<?, ?>)) {
            throw new SafeTensorsException(index, "\"metadata\" is not a JSON object");
        }
        return json;
    }

    /** The bytes as UTF-8 text; invalid UTF-8 is an error naming the file and the byte offset. */
    static String utf8(Path file, byte[] bytes) throws SafeTensorsException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isUnderflow()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            throw new SafeTensorsException(file, "is not valid UTF-8 text (bad byte at offset " + in.position() + ")");
        }
        return out.flip().toString();
    }

    private static TreeMap<String, SafeTensorsFile> openIndexed(Path dir, Path index, Map<String, Object> json,
                                                               Map<Path, SafeTensorsFile> shards) throws IOException {
        Map<?, ?> weightMap = (Map<?, ?>) json.get("weight_map");
        TreeMap<String, Path> wanted = new TreeMap<>();
        for (Map.Entry<?, ?> e : weightMap.entrySet()) {
            String tensor = (String) e.getKey();
            if (!(e.getValue() instanceof String fileName)) {
                throw new SafeTensorsException(index, tensor, "weight_map value is not a file name");
            }
            // Shards must be plain files of this folder, never paths that lead elsewhere (nor names
            // that are no path at all: a NUL, from "\u0000" in the JSON).
            Path file;
            try {
                file = dir.resolve(fileName);
            } catch (InvalidPathException bad) {
                file = null;
            }
            if (file == null || fileName.isEmpty() || !file.getParent().equals(dir)
                    || fileName.equals(".") || fileName.equals("..")) {
                throw new SafeTensorsException(index, tensor, "weight_map names '" + fileName
                        + "', which is not a file name in this folder");
            }
            if (!Files.isRegularFile(file)) {
                throw new SafeTensorsException(index, tensor, "weight_map names shard '" + fileName
                        + "', which does not exist");
            }
            wanted.put(tensor, file);
        }
        for (Path file : new java.util.TreeSet<>(wanted.values())) {
            shards.put(file, SafeTensorsFile.open(file));
        }
        TreeMap<String, SafeTensorsFile> owner = new TreeMap<>();
        for (Map.Entry<String, Path> e : wanted.entrySet()) {
            SafeTensorsFile shard = shards.get(e.getValue());
            if (!shard.contains(e.getKey())) {
                throw new SafeTensorsException(index, e.getKey(), "the index places it in '"
                        + e.getValue().getFileName() + "', which does not hold it" + whereElse(shards, e.getKey()));
            }
            owner.put(e.getKey(), shard);
        }
        for (SafeTensorsFile shard : shards.values()) {
            for (TensorInfo t : shard.tensors()) {
                SafeTensorsFile listed = owner.get(t.name());
                if (listed == null) {
                    throw new SafeTensorsException(index, t.name(), "is in shard '" + shard.path().getFileName()
                            + "' but not in the weight_map");
                }
                if (listed != shard) {
                    throw new SafeTensorsException(index, t.name(), "is in two shards, '"
                            + listed.path().getFileName() + "' and '" + shard.path().getFileName() + "'");
                }
            }
        }
        return owner;
    }

    private static String whereElse(Map<Path, SafeTensorsFile> shards, String tensor) {
        for (SafeTensorsFile f : shards.values()) {
            if (f.contains(tensor)) {
                return " (it is in '" + f.path().getFileName() + "')";
            }
        }
        return "";
    }

    private static TreeMap<String, SafeTensorsFile> openUnindexed(Path dir, List<Path> regular,
                                                                 Map<Path, SafeTensorsFile> shards) throws IOException {
        for (Path p : regular) {
            if (p.getFileName().toString().endsWith(SUFFIX)) {
                shards.put(p, SafeTensorsFile.open(p));
            }
        }
        if (shards.isEmpty()) {
            throw new SafeTensorsException(dir, "holds no *.safetensors file");
        }
        TreeMap<String, SafeTensorsFile> owner = new TreeMap<>();
        for (SafeTensorsFile shard : shards.values()) {
            for (TensorInfo t : shard.tensors()) {
                SafeTensorsFile other = owner.putIfAbsent(t.name(), shard);
                if (other != null) {
                    throw new SafeTensorsException(dir, t.name(), "is in two files, '"
                            + other.path().getFileName() + "' and '" + shard.path().getFileName() + "'");
                }
            }
        }
        return owner;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return Collections.unmodifiableMap((Map<String, Object>) m);
    }

    public Path dir() {
        return dir;
    }

    /** Every tensor of the checkpoint, sorted by name. */
    public List<String> tensorNames() {
        return List.copyOf(owner.keySet());
    }

    public boolean contains(String name) {
        return owner.containsKey(name);
    }

    public TensorInfo info(String name) throws SafeTensorsException {
        return shardOf(name).info(name);
    }

    /** A read-only, zero-copy view of tensor {@code name}. */
    public Tensor tensor(String name) throws SafeTensorsException {
        return shardOf(name).tensor(name);
    }

    /** The shard holding {@code name}. */
    public Path fileOf(String name) throws SafeTensorsException {
        return shardOf(name).path();
    }

    /** The safetensors files, sorted by name. */
    public List<Path> files() {
        return List.copyOf(shards.keySet());
    }

    /** The open shard at {@code file} (one of {@link #files()}). */
    public SafeTensorsFile shard(Path file) {
        SafeTensorsFile f = shards.get(file);
        if (f == null) {
            throw new IllegalArgumentException(file + " is not a shard of " + dir);
        }
        return f;
    }

    /** True when the checkpoint has a {@value #INDEX_FILE}. */
    public boolean indexed() {
        return indexMetadata != null;
    }

    /** The index's {@code "metadata"} object; empty without an index. */
    public Map<String, Object> indexMetadata() {
        return indexMetadata == null ? Map.of() : indexMetadata;
    }

    /** Top-level regular files that are neither shards nor the index: config, tokenizer, README... */
    public List<Path> otherFiles() {
        return otherFiles;
    }

    /** {@code *.safetensors} files the index does not list: not shards, not other files (a warning said so). */
    public List<Path> ignoredFiles() {
        return ignoredFiles;
    }

    /** The open shards, in file-name order (for {@link MappedFaults#explain}). */
    public List<SafeTensorsFile> openShards() {
        return List.copyOf(shards.values());
    }

    private SafeTensorsFile shardOf(String name) throws SafeTensorsException {
        SafeTensorsFile f = owner.get(name);
        if (f == null) {
            throw new SafeTensorsException(dir, name, "no such tensor in this checkpoint");
        }
        return f;
    }

    /** Unmaps every shard. */
    @Override
    public void close() {
        shards.values().forEach(SafeTensorsFile::close);
    }

    @Override
    public String toString() {
        return "Checkpoint[" + dir + ", " + shards.size() + " files, " + owner.size() + " tensors]";
    }
}
