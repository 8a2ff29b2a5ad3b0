package dev.prune4j.bench.report;

import dev.prune4j.bench.shapes.BenchShapes;
import dev.prune4j.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@code report.md} and the speedup plots ({@code speedup-DEVICE-LAYER.png}, one per device and
 * projection that has a speedup) into a folder. The report is written first, so a plotting failure
 * never loses it; where the Java runtime has no {@code java.desktop} (the GPU bundle's) the plots are
 * left out and the report says so; the drawing lives in {@link PlotWriter}, which is loaded only
 * where it can run (this class itself must load without AWT). Each file is written beside its
 * target and moved into place ({@link AtomicFiles}); the inputs are only read.
 */
public final class ReportWriter {
    public static final String REPORT = "report.md";

    private ReportWriter() {}

    /** Writes the report of {@code results} into {@code dir} (created if needed); returns the files written. */
    public static List<Path> write(BenchResults results, List<String> notes, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        SpeedupRows rows = new SpeedupRows(results.linear());
        boolean canPlot = ModuleLayer.boot().findModule("java.desktop").isPresent();
        List<String[]> planned = new ArrayList<>();
        List<String> devices = new ArrayList<>(rows.devices());
        GemmTable.rows(results.gemm()).keySet().forEach(k -> {
            if (!devices.contains(k.device())) {
                devices.add(k.device());
            }
        });
        for (String device : devices) {
            for (String layer : BenchShapes.LAYERS) {
                if (rows.hasSpeedup(device, layer) || GemmTable.hasSpeedup(results.gemm(), device, layer)) {
                    planned.add(new String[] {device, layer, SpeedupRows.plotFileName(device, layer)});
                }
            }
        }
        List<String> allNotes = new ArrayList<>(notes);
        if (!canPlot && !planned.isEmpty()) {
            allNotes.add("Plots left out: this Java runtime has no java.desktop (draw them with ./prune4j report).");
        }
        Path md = dir.resolve(REPORT);
        List<String> plots = canPlot ? planned.stream().map(p -> p[2]).toList() : List.of();
        AtomicFiles.writeString(md, MarkdownReport.render(results, plots, allNotes));
        written.add(md);
        if (canPlot) {
            written.addAll(PlotWriter.write(rows, results.gemm(), planned, dir));
        }
        return written;
    }
}
