package dev.prune4j.cli;

import picocli.CommandLine.Command;

/** The top of the command tree: {@code ./prune4j COMMAND}. */
@Command(name = "prune4j",
        synopsisHeading = "usage: ",
        customSynopsis = "./prune4j COMMAND [options]   (./prune4j COMMAND --help for details)",
        commandListHeading = "%nCommands:%n",
        subcommands = {DemoCommand.class, SynthCommand.class, PruneCommand.class, CalibrateCommand.class,
            AnalyzeCommand.class, CompareCommand.class, EvalCommand.class, ConvertCommand.class},
        footer = {"",
            // These two live in the benchmarks module (JMH); the ./prune4j launcher runs them from there.
            "  bench      run the JMH suite: dense vs 2:4 layers, pruning kernels (report.md, plots)",
            "  report     turn JMH / PyTorch JSON results into report.md and plots",
            "",
            "Exit status 0 on success, 1 on failure, 2 on bad arguments, with one line on stderr that",
            "names the file, tensor or option at fault."})
final class Prune4jCommand {
}
