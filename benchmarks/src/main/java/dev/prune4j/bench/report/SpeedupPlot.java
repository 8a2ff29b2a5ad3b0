package dev.prune4j.bench.report;

import dev.prune4j.bench.shapes.BenchShapes;
import dev.prune4j.bench.report.LinearResult.Impl;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Speedup (dense time / 2:4 time) against token count for one projection on one device, as a line
 * chart: one line per model, dtype and 2:4 implementation. Colour is the model, the line style the
 * implementation (solid prune4j, dashed torch CUTLASS, dotted torch cuSPARSELt), the marker the dtype
 * (circle F16, square BF16). Tokens on a log2 axis; dashed guides at 1x (break-even) and 16/9 = 1.78x
 * (the byte bound of an F16 2:4 weight). Drawn headless, like {@code dev.prune4j.cli.SparsityPlot}.
 */
public final class SpeedupPlot {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final int WIDTH = 900;
    static final int HEIGHT = 560;
    private static final Color[] MODEL_COLOURS = {new Color(0x4C78A8), new Color(0xF58518), new Color(0x54A24B),
        new Color(0xB279A2)};
    private static final Color GRID = new Color(0xDDDDDD);
    private static final Color INK = new Color(0x222222);
    private static final Color MUTED = new Color(0x555555);
    private static final double BYTE_BOUND = 16.0 / 9.0;

    /** One line of the chart: its label, look and points (tokens to speedup). */
    record Series(String label, Color colour, Impl impl, String dtype, TreeMap<Integer, Double> points) {}

    private SpeedupPlot() {}

    /** The series of {@code layer} on {@code device}; empty when nothing there has a speedup. */
    static List<Series> series(SpeedupRows rows, String device, String layer) {
        List<Series> out = new ArrayList<>();
        List<String> models = new ArrayList<>(BenchShapes.models());
        for (String dtype : rows.dtypes(device)) {
            for (String model : rows.models(device, dtype)) {
                int m = models.indexOf(model);
                Color colour = MODEL_COLOURS[m < 0 ? MODEL_COLOURS.length - 1 : m % MODEL_COLOURS.length];
                for (Impl impl : Impl.values()) {
                    if (!impl.sparse()) {
                        continue;
                    }
                    TreeMap<Integer, Double> points = new TreeMap<>();
                    for (SpeedupRows.Line line : rows.lines(device, dtype, model)) {
                        double s = line.row().speedup(impl);
                        if (line.layer().equals(layer) && !Double.isNaN(s)) {
                            points.put(line.row().key().tokens(), s);
                        }
                    }
                    if (!points.isEmpty()) {
                        out.add(new Series(shortModel(model) + " " + dtype + " " + impl.label(), colour, impl, dtype,
                                points));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The series of a plot where the device also has paired cases ({@link GemmTable}): prune4j's
     * line is the paired speedup (kernel time on the GPU), PyTorch's lines stay; JMH's prune4j
     * line of the same device is left out, the paired one replaces it.
     */
    static List<Series> series(SpeedupRows rows, List<GemmResult> gemm, String device, String layer) {
        List<Series> out = new ArrayList<>();
        List<String> models = new ArrayList<>(BenchShapes.models());
        List<GemmResult> onDevice = GemmTable.rows(gemm).values().stream().filter(r -> r.device().equals(device))
                .toList();
        for (String dtype : BenchShapes.DTYPES) {
            List<GemmTable.Line> lines = GemmTable.lines(onDevice.stream().filter(r -> r.dtype().equals(dtype)).toList());
            for (String model : models) {
                TreeMap<Integer, Double> points = new TreeMap<>();
                for (GemmTable.Line line : lines) {
                    if (line.model().equals(model) && line.layer().equals(layer) && !Double.isNaN(line.result().speedup())) {
                        points.put(line.result().tokens(), line.result().speedup());
                    }
                }
                if (!points.isEmpty()) {
                    Color colour = MODEL_COLOURS[models.indexOf(model) % MODEL_COLOURS.length];
                    out.add(new Series(shortModel(model) + " " + dtype + " prune4j 2:4" + (device.equals("cuda")
                            ? " (kernel)" : ""), colour, Impl.PRUNE4J_SPARSE24, dtype, points));
                }
            }
        }
        boolean paired = !out.isEmpty();
        for (Series s : series(rows, device, layer)) {
            if (!(paired && s.impl() == Impl.PRUNE4J_SPARSE24)) {
                out.add(s);
            }
        }
        return out;
    }

    static BufferedImage render(String title, String subtitle, List<Series> series) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(INK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString(title, 20, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.setColor(MUTED);
            g.drawString(subtitle, 20, 52);

            int left = 70;
            int top = 80;
            int right = WIDTH - 280; // legend on the right
            int bottom = HEIGHT - 60;

            int minExp = 0;
            int maxExp = 13; // 1 .. 8192 tokens
            double maxY = 2.0;
            for (Series s : series) {
                for (var p : s.points().entrySet()) {
                    int e = log2(p.getKey());
                    minExp = Math.min(minExp, e);
                    maxExp = Math.max(maxExp, e);
                    maxY = Math.max(maxY, p.getValue() * 1.1);
                }
            }
            maxY = Math.ceil(maxY * 2) / 2;
            final int lo = minExp;
            final int hi = maxExp;
            final double top2 = maxY;
            java.util.function.IntUnaryOperator xOf = t -> left + (int) Math.round((log2(t) - lo) * (right - left)
                    / (double) Math.max(1, hi - lo));
            java.util.function.DoubleToIntFunction yOf = v -> bottom - (int) Math.round(v / top2 * (bottom - top));

            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (double v = 0; v <= maxY + 1e-9; v += 0.5) {
                int y = yOf.applyAsInt(v);
                g.setColor(GRID);
                g.drawLine(left, y, right, y);
                g.setColor(INK);
                String t = String.format(Locale.ROOT, "%.1fx", v);
                g.drawString(t, left - 8 - fm.stringWidth(t), y + fm.getAscent() / 2 - 1);
            }
            for (int tokens : BenchShapes.TOKENS) {
                int x = xOf.applyAsInt(tokens);
                g.setColor(GRID);
                g.drawLine(x, top, x, bottom);
                g.setColor(INK);
                String t = Integer.toString(tokens);
                g.drawString(t, x - fm.stringWidth(t) / 2, bottom + 6 + fm.getAscent());
            }
            g.setColor(INK);
            g.drawLine(left, bottom, right, bottom);
            g.drawLine(left, top, left, bottom);
            String xLabel = "tokens (rows of X), log scale";
            g.drawString(xLabel, left + (right - left - fm.stringWidth(xLabel)) / 2, bottom + 40);
            g.rotate(-Math.PI / 2);
            String yLabel = "speedup = dense time / 2:4 time";
            g.drawString(yLabel, -(top + (bottom - top + fm.stringWidth(yLabel)) / 2), 20);
            g.rotate(Math.PI / 2);

            guide(g, left, right, yOf.applyAsInt(1.0), "1x", new Color(0xC0392B));
            guide(g, left, right, yOf.applyAsInt(BYTE_BOUND), "1.78x: F16 2:4 byte bound", new Color(0x7F8C8D));

            for (Series s : series) {
                g.setColor(s.colour());
                g.setStroke(stroke(s.impl()));
                int[] prev = null;
                for (var p : s.points().entrySet()) {
                    int[] pt = {xOf.applyAsInt(p.getKey()), yOf.applyAsInt(p.getValue())};
                    if (prev != null) {
                        g.drawLine(prev[0], prev[1], pt[0], pt[1]);
                    }
                    prev = pt;
                }
                g.setStroke(new BasicStroke(1f));
                for (var p : s.points().entrySet()) {
                    marker(g, s.dtype(), xOf.applyAsInt(p.getKey()), yOf.applyAsInt(p.getValue()));
                }
            }
            if (series.isEmpty()) {
                g.setColor(INK);
                g.drawString("no dense and 2:4 pair measured for this projection", left + 20, top + 30);
            }

            int ly = top;
            for (Series s : series) {
                g.setColor(s.colour());
                g.setStroke(stroke(s.impl()));
                g.drawLine(right + 20, ly, right + 50, ly);
                g.setStroke(new BasicStroke(1f));
                marker(g, s.dtype(), right + 35, ly);
                g.setColor(INK);
                g.drawString(s.label(), right + 58, ly + fm.getAscent() / 2 - 1);
                ly += 20;
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void guide(Graphics2D g, int left, int right, int y, String label, Color colour) {
        g.setColor(colour);
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        g.drawLine(left, y, right, y);
        g.setStroke(new BasicStroke(1f));
        g.drawString(label, right - g.getFontMetrics().stringWidth(label) - 4, y - 4);
    }

    private static Stroke stroke(Impl impl) {
        return switch (impl) {
            case TORCH_CUTLASS -> new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                    new float[] {8f, 5f}, 0f);
            case TORCH_CUSPARSELT -> new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f,
                    new float[] {2f, 4f}, 0f);
            default -> new BasicStroke(2.2f);
        };
    }

    private static void marker(Graphics2D g, String dtype, int x, int y) {
        if (dtype.equals("BF16")) {
            g.fillRect(x - 4, y - 4, 8, 8);
        } else {
            g.fillOval(x - 4, y - 4, 9, 9);
        }
    }

    private static int log2(int tokens) {
        return 31 - Integer.numberOfLeadingZeros(Math.max(1, tokens));
    }

    private static String shortModel(String model) {
        return model.replace("LLaMA-2-", "").replace(" / CodeLlama-13B", "");
    }

    /** File name of the chart of {@code layer} on {@code device}: {@code speedup-cpu-gate-up.png}. */
    static String fileName(String device, String layer) {
        return SpeedupRows.plotFileName(device, layer);
    }
}
