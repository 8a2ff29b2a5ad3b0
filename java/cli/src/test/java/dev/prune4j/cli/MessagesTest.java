package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** Error lines say what happened in words: no Java class names, one line, nothing a terminal obeys. */
class MessagesTest {
    @Test
    void quotedExceptionsLoseTheirClassNames() {
        assertEquals("cannot read x: bad value", Messages.of(new IllegalStateException(
                "cannot read x: java.lang.IllegalArgumentException: bad value")));
        assertEquals("w: mapped", Messages.of(new RuntimeException("w: jdk.internal.misc.ScopedMemoryAccess$ScopedAccessError: mapped")));
    }

    @Test
    void fileErrorsSayWhatHappened() {
        assertEquals("/x/y: permission denied", Messages.of(new AccessDeniedException("/x/y")));
        assertEquals("/x/y: no such file or folder", Messages.of(new UncheckedIOException(new NoSuchFileException("/x/y"))));
    }

    @Test
    void jvmErrorsAreSentencesNotClassNames() {
        assertEquals("a memory-mapped file could not be read or written (a file truncated while in use, or a full disk)",
                Messages.of(new InternalError("a fault occurred in an unsafe memory access")));
        String oom = Messages.of(new OutOfMemoryError("Java heap space"));
        assertEquals(true, oom.startsWith("out of memory (Java heap space); the Java heap may use up to "), oom);
        assertEquals("internal error (null pointer exception)", Messages.of(new NullPointerException()));
    }

    @Test
    void controlCharactersAreShownEscaped() {
        assertEquals("a\\nb\\x1b[31m", Messages.clean("a\nb\u001b[31m"));
    }
}
