package dev.prune4j.cli;

import dev.prune4j.calib.CalibrationReducer;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import dev.prune4j.io.AtomicFiles.Existing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code calibrate}: reduces raw layer inputs to Wanda's norms and SparseGPT's Hessians. */
@Command(name = "calibrate", sortOptions = false,
        description = "Reduce raw calibration inputs to activation norms and Hessians.",
        footer = {"",
            "For every NAME.inputs [tokens, in] in FILE writes NAME.act_norm_sq [in] + NAME.act_count",
            "(Wanda) and NAME.hessian [in, in] = 2/n X^T X + NAME.hessian_count (SparseGPT); other",
            "tensors are copied. The output serves ./prune4j prune --calibration like the input, and is",
            "smaller whenever tokens > in."})
final class CalibrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--inputs", required = true, paramLabel = "FILE", description = "raw calibration inputs")
    Path inputs;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "the reduced statistics")
    Path output;

    @Option(names = "--engine", paramLabel = "cpu|cuda|auto", defaultValue = "auto", converter = Options.EngineName.class,
            description = "cpu, cuda, or auto (default)")
    String engine;

    @Option(names = "--force", description = "replace --output if it is an existing file")
    boolean force;

    @Option(names = "--remove-stale", description = "delete what an earlier run into the same output left when it was killed (.NAME.*.tmp)")
    boolean removeStale;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Override
    public Integer call() throws Exception {
        Main.requireFile(inputs, "--inputs");
        if (inputs.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())
                || (Files.exists(output) && Files.isSameFile(inputs, output))) {
            throw new UsageException("--output must differ from --inputs: the input is never modified");
        }
        Existing existing = Outputs.file(output, force, removeStale);
        List<String> reduced;
        try (Engine e = Engines.create(engine)) {
            reduced = CalibrationReducer.reduce(e, inputs, output, existing);
        }
        spec.commandLine().getOut().printf("reduced the inputs of %d layers -> %s%n", reduced.size(),
                Messages.clean(output.toString()));
        return 0;
    }
}
