package dev.prune4j.cli;

import dev.prune4j.calib.CalibrationReducer;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code calibrate}: reduces raw layer inputs to Wanda's norms and SparseGPT's Hessians. */
final class CalibrateCommand implements Command {
    @Override
    public String name() {
        return "calibrate";
    }

    @Override
    public String summary() {
        return "reduce raw calibration inputs to activation norms and Hessians";
    }

    @Override
    public String usage() {
        return """
                usage: ./prune4j calibrate --inputs FILE --output FILE [--engine cpu|cuda|auto]

                For every NAME.inputs [tokens, in] in FILE writes NAME.act_norm_sq [in] + NAME.act_count
                (Wanda) and NAME.hessian [in, in] = 2/n X^T X + NAME.hessian_count (SparseGPT); other
                tensors are copied. The output serves ./prune4j prune --calibration like the input,
                and is smaller whenever tokens > in.
                """;
    }

    @Override
    public void run(List<String> argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, Set.of("inputs", "output", "engine"), Set.of());
        Path inputs = args.path("inputs");
        Path output = args.path("output");
        try {
            Engines.checkKind(args.get("engine", "auto"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (inputs.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new UsageException("--output must differ from --inputs: the input is never modified");
        }
        List<String> reduced;
        try (Engine engine = Engines.create(args.get("engine", "auto"))) {
            reduced = CalibrationReducer.reduce(engine, inputs, output);
        }
        out.printf("reduced the inputs of %d layers -> %s%n", reduced.size(), output);
    }
}
