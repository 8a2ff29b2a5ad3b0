package dev.prune4j.cli;

import dev.prune4j.model.eval.EvalResult;
import dev.prune4j.model.eval.lm.PerplexityResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import dev.prune4j.io.AtomicFiles.Existing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Quality against sparsity, as in the seeds' figures: one or more panels, one line per method and
 * setting over the requested sparsities (evenly spaced, since 0.9 to 0.99 is where models break),
 * N:M patterns as single markers at their fixed sparsity. One colour per method; the setting picks
 * the line's dash (unstructured scopes) or the marker's shape (N:M patterns, nudged sideways per
 * method so that the methods' markers at 50 % do not hide each other). Drawn headless.
 *
 * <p>MiniLM's plot has two panels on a linear 0-1 axis (mean cosine to the dense embeddings, top-1
 * retrieval agreement); a language model's has one, perplexity on a log axis (it spans from the
 * dense model's ~15 to the tens of thousands of a collapsed one), with the dense model as a
 * dashed reference line.
 */
public final class EvalPlot {
    private static final int PANEL_W = 560, PANEL_H = 400, MARGIN = 60, LEGEND_H = 70;
    private static final Color[] PALETTE = {new Color(0x4C78A8), new Color(0x54A24B), new Color(0xF58518),
            new Color(0xE45756), new Color(0x72B7B2), new Color(0xB279A2), new Color(0xFF9DA6), new Color(0x9D755D)};
    private static final float[][] DASHES = {null, {9f, 5f}, {2f, 4f}, {12f, 4f, 2f, 4f}};
    private static final Color REFERENCE = new Color(0x555555);

    /** How one series is drawn: colour by method, dash (unstructured) or marker shape (N:M) by setting. */
    private record Style(Color color, float[] dash, int shape, int nudge) {}

    /** One plotted value: a method's setting at a requested sparsity. */
    private record Point(String method, String setting, double sparsity, double value) {
        String series() {
            return method + " " + setting;
        }
    }

    /** A horizontal line across a panel (the dense model), labelled. */
    private record Reference(String label, double value) {}

    /** Where a value goes on a panel's height, 0 (bottom) to 1 (top), and the labelled grid lines. */
    private interface YAxis {
        double position(double value);

        Map<Double, String> ticks();
    }

    /** 0 to 1, grid every 0.2. */
    private static final YAxis UNIT = new YAxis() {
        @Override
        public double position(double value) {
            return Math.max(0, Math.min(1, value));
        }

        @Override
        public Map<Double, String> ticks() {
            Map<Double, String> t = new LinkedHashMap<>();
            for (int i = 0; i <= 5; i++) {
                t.put(i / 5.0, String.format(Locale.ROOT, "%.1f", i / 5.0));
            }
            return t;
        }
    };

    /** Whole decades around the values; 2 and 5 in between when there are few decades. */
    private record LogAxis(int lowDecade, int highDecade) implements YAxis {
        static LogAxis around(List<Double> values) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                if (Double.isFinite(v) && v > 0) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            if (min > max) {
                return new LogAxis(0, 1);
            }
            int lo = (int) Math.floor(Math.log10(min));
            int hi = (int) Math.ceil(Math.log10(max));
            return new LogAxis(lo, Math.max(hi, lo + 1));
        }

        @Override
        public double position(double value) {
            if (Double.isNaN(value)) {
                return 1;
            }
            double p = (Math.log10(Math.max(value, Double.MIN_NORMAL)) - lowDecade) / (highDecade - lowDecade);
            return Math.max(0, Math.min(1, p));
        }

        @Override
        public Map<Double, String> ticks() {
            Map<Double, String> t = new LinkedHashMap<>();
            boolean fine = highDecade - lowDecade <= 3;
            for (int d = lowDecade; d <= highDecade; d++) {
                for (int m : fine && d < highDecade ? new int[] {1, 2, 5} : new int[] {1}) {
                    double v = m * Math.pow(10, d);
                    t.put(position(v), label(v));
                }
            }
            return t;
        }

        private static String label(double v) {
            return v >= 1e5 ? String.format(Locale.ROOT, "%.0e", v).replace("e+0", "e").replace("e+", "e")
                    : v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2g", v);
        }
    }

    /** One panel: its label, axis, width and what it shows. */
    private record Panel(String label, YAxis axis, int width, List<Point> points, List<Reference> references) {}

    private EvalPlot() {}

    /** MiniLM: mean cosine and top-1 agreement against sparsity, never replacing a file. */
    public static void write(List<EvalResult> results, String title, Path target) throws IOException {
        write(results, title, target, Existing.REFUSE);
    }

    public static void write(List<EvalResult> results, String title, Path target, Existing existing) throws IOException {
        PngFiles.write(draw(results, title), target, existing);
    }

    /**
     * A language model: perplexity (log axis) against sparsity, the dense model as a reference line;
     * replaces a file at {@code target} (the table's plot is redrawn after every row).
     */
    public static void writePerplexity(List<PerplexityResult> results, String title, Path target) throws IOException {
        PngFiles.write(drawPerplexity(results, title), target, Existing.REPLACE);
    }

    static BufferedImage draw(List<EvalResult> results, String title) {
        return draw(title, List.of(
                new Panel("mean cosine similarity to dense embeddings", UNIT, PANEL_W,
                        points(results, EvalResult::meanCosine), List.of()),
                new Panel("top-1 retrieval agreement with dense", UNIT, PANEL_W,
                        points(results, EvalResult::top1Agreement), List.of())));
    }

    static BufferedImage drawPerplexity(List<PerplexityResult> results, String title) {
        List<Point> points = new ArrayList<>();
        List<Reference> references = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (PerplexityResult r : results) {
            values.add(r.perplexity());
            if (r.method().equals(PerplexityResult.DENSE)) {
                references.add(new Reference(String.format(Locale.ROOT, "dense %.2f", r.perplexity()), r.perplexity()));
            } else {
                points.add(new Point(r.method(), r.setting(), r.sparsity(), r.perplexity()));
            }
        }
        return draw(title, List.of(new Panel("perplexity (log scale; lower is better)", LogAxis.around(values),
                2 * PANEL_W + MARGIN, points, references)));
    }

    private static List<Point> points(List<EvalResult> results, ToDoubleFunction<EvalResult> value) {
        return results.stream().map(r -> new Point(r.method(), r.setting(), r.sparsity(), value.applyAsDouble(r)))
                .toList();
    }

    private static BufferedImage draw(String title, List<Panel> panels) {
        TreeSet<Double> xs = new TreeSet<>();
        Map<String, Point> firstOfSeries = new LinkedHashMap<>();
        List<String> methods = new ArrayList<>();
        List<String> unstructured = new ArrayList<>();
        List<String> patterns = new ArrayList<>();
        for (Point p : panels.getFirst().points()) {
            xs.add(p.sparsity());
            firstOfSeries.putIfAbsent(p.series(), p);
            addOnce(methods, p.method());
            addOnce(isPattern(p.setting()) ? patterns : unstructured, p.setting());
        }
        Map<String, Style> styles = new LinkedHashMap<>();
        for (Map.Entry<String, Point> e : firstOfSeries.entrySet()) {
            Point first = e.getValue();
            int m = methods.indexOf(first.method());
            Color color = PALETTE[m % PALETTE.length];
            styles.put(e.getKey(), isPattern(first.setting())
                    ? new Style(color, null, 1 + patterns.indexOf(first.setting()) % 3, (2 * m - methods.size() + 1) * 5)
                    : new Style(color, DASHES[unstructured.indexOf(first.setting()) % DASHES.length], 0, 0));
        }
        List<Double> ticks = new ArrayList<>(xs);
        int width = MARGIN;
        for (Panel p : panels) {
            width += p.width() + MARGIN;
        }
        int height = PANEL_H + 2 * MARGIN + LEGEND_H + 20 * Math.max(0, (styles.size() - 1) / 4 - 2);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, MARGIN, 28);
        int x0 = MARGIN;
        for (Panel p : panels) {
            panel(g, x0, MARGIN, p, ticks, styles);
            x0 += p.width() + MARGIN;
        }
        legend(g, MARGIN, MARGIN + PANEL_H + 62, styles);
        g.dispose();
        return img;
    }

    private static boolean isPattern(String setting) {
        return setting.contains(":");
    }

    private static void addOnce(List<String> list, String s) {
        if (!list.contains(s)) {
            list.add(s);
        }
    }

    private static void panel(Graphics2D g, int x0, int y0, Panel p, List<Double> ticks, Map<String, Style> styles) {
        int w = p.width();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0xF4F6F8));
        g.fillRect(x0, y0, w, PANEL_H);
        for (Map.Entry<Double, String> t : p.axis().ticks().entrySet()) {
            int y = y0 + PANEL_H - (int) Math.round(t.getKey() * PANEL_H);
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(x0, y, x0 + w, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(t.getValue(), x0 - 6 - g.getFontMetrics().stringWidth(t.getValue()), y + 4);
        }
        for (int i = 0; i < ticks.size(); i++) {
            int x = xOf(x0, w, i, ticks.size());
            g.drawString(String.format(Locale.ROOT, "%.2f", ticks.get(i)), x - 12, y0 + PANEL_H + 16);
        }
        g.drawString("sparsity (fraction of linear weights pruned)", x0 + w / 2 - 120, y0 + PANEL_H + 32);
        g.drawString(p.label(), x0 + 4, y0 - 6);
        for (Reference r : p.references()) {
            int y = y0 + PANEL_H - (int) Math.round(p.axis().position(r.value()) * PANEL_H);
            g.setColor(REFERENCE);
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f));
            g.drawLine(x0, y, x0 + w, y);
            g.setStroke(new BasicStroke(2f));
            g.drawString(r.label(), x0 + w - 8 - g.getFontMetrics().stringWidth(r.label()), y - 4);
        }
        Map<String, List<Point>> series = new LinkedHashMap<>();
        for (Point pt : p.points()) {
            series.computeIfAbsent(pt.series(), k -> new ArrayList<>()).add(pt);
        }
        for (Map.Entry<String, List<Point>> e : series.entrySet()) {
            Style style = styles.get(e.getKey());
            g.setColor(style.color());
            int px = -1, py = -1;
            for (Point pt : e.getValue()) {
                int x = xOf(x0, w, ticks.indexOf(pt.sparsity()), ticks.size()) + style.nudge();
                int y = y0 + PANEL_H - (int) Math.round(p.axis().position(pt.value()) * PANEL_H);
                marker(g, style.shape(), x, y);
                if (px >= 0) {
                    g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, style.dash(), 0f));
                    g.drawLine(px, py, x, y);
                    g.setStroke(new BasicStroke(2f));
                }
                px = x;
                py = y;
            }
        }
    }

    /** 0 circle, 1 square, 2 diamond, 3 triangle; about 10 px across. */
    private static void marker(Graphics2D g, int shape, int x, int y) {
        switch (shape) {
            case 0 -> g.fillOval(x - 4, y - 4, 9, 9);
            case 1 -> g.fillRect(x - 5, y - 5, 10, 10);
            case 2 -> g.fillPolygon(new int[] {x, x + 6, x, x - 6}, new int[] {y - 6, y, y + 6, y}, 4);
            default -> g.fillPolygon(new int[] {x, x + 6, x - 6}, new int[] {y - 6, y + 5, y + 5}, 3);
        }
    }

    private static int xOf(int x0, int width, int index, int count) {
        return x0 + 30 + (count <= 1 ? 0 : index * (width - 60) / (count - 1));
    }

    private static void legend(Graphics2D g, int x0, int y0, Map<String, Style> styles) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int c = 0;
        for (Map.Entry<String, Style> e : styles.entrySet()) {
            int col = c % 4, row = c / 4;
            c++;
            Style style = e.getValue();
            int x = x0 + col * 260, y = y0 + row * 20;
            g.setColor(style.color());
            if (style.shape() == 0) {
                g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, style.dash(), 0f));
                g.drawLine(x - 6, y - 4, x + 22, y - 4);
                g.setStroke(new BasicStroke(2f));
            }
            marker(g, style.shape(), x + 8, y - 4);
            g.setColor(Color.DARK_GRAY);
            g.drawString(e.getKey(), x + 30, y);
        }
    }
}
