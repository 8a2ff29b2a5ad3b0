package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Errors, which picocli does not hand to the exception handler, still end as one line and exit 1. */
class JvmErrorsTest {
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        static Error next;

        @Override
        public Integer call() {
            throw next;
        }
    }

    private static String run(Error e) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter stderr = new PrintWriter(err, true);
        CommandLine cli = Main.commandLine(new PrintWriter(out, true), stderr);
        cli.addSubcommand("boom", new Boom());
        Boom.next = e;
        assertEquals(Main.FAILED, Main.execute(cli, new String[] {"boom"}, stderr));
        return err.toString();
    }

    @Test
    void aMappedFileFaultIsOneLine() {
        assertEquals("prune4j boom: a memory-mapped file could not be read or written (a file truncated while in use,"
                + " or a full disk)" + System.lineSeparator(), run(new InternalError("a fault occurred in an unsafe memory access")));
    }

    @Test
    void aStackOverflowIsOneLine() {
        assertEquals(1, run(new StackOverflowError()).lines().count());
    }

    @Test
    void anOutOfMemoryErrorIsOneLineWithTheHeapLimit() {
        String line = run(new OutOfMemoryError("Java heap space"));
        assertEquals(1, line.lines().count(), line);
        assertEquals(true, line.startsWith("prune4j boom: out of memory (Java heap space); the Java heap may use up to "), line);
    }

    @Test
    void aPatternTooDeepToCompileIsABadArgumentOnAShortLine() {
        // Pattern.compile turns its own stack overflow into a syntax error; the message quotes only the start.
        String deep = "(".repeat(100_000) + "a" + ")".repeat(100_000);
        CliRun run = CliRun.of("prune", "--input", "x", "--output", "y", "--sparsity", "0.5", "--include", deep);
        assertEquals(2, run.status(), run.toString());
        assertEquals(1, run.err().lines().count());
        assertEquals(true, run.err().contains("--include: the include pattern is not a valid regular expression: Stack"
                + " overflow during pattern compilation in '((((("), run.err());
        assertEquals(true, run.err().length() < 300, run.err().length() + " characters");
    }
}
