package dev.prune4j.cli;

import dev.prune4j.model.eval.EvalResult;
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

/**
 * Quality against sparsity, as in the seeds' figures: two panels (mean cosine to the dense
 * embeddings, top-1 retrieval agreement), one line per method and setting over the requested
 * sparsities (evenly spaced, since 0.9 to 0.99 is where models break), N:M patterns as single
 * markers at their fixed sparsity. One colour per method; the setting picks the line's dash
 * (unstructured scopes) or the marker's shape (N:M patterns, nudged sideways per method so that
 * the methods' markers at 50 % do not hide each other). Drawn headless.
 */
public final class EvalPlot {
    private static final int PANEL_W = 560, PANEL_H = 400, MARGIN = 60, LEGEND_H = 70;
    private static final Color[] PALETTE = {new Color(0x4C78A8), new Color(0x54A24B), new Color(0xF58518),
            new Color(0xE45756), new Color(0x72B7B2), new Color(0xB279A2), new Color(0xFF9DA6), new Color(0x9D755D)};
    private static final float[][] DASHES = {null, {9f, 5f}, {2f, 4f}, {12f, 4f, 2f, 4f}};

    /** How one series is drawn: colour by method, dash (unstructured) or marker shape (N:M) by setting. */
    private record Style(Color color, float[] dash, int shape, int nudge) {}

    private EvalPlot() {}

    /** As {@link #write(List, String, Path, Existing)}, never replacing a file. */
    public static void write(List<EvalResult> results, String title, Path target) throws IOException {
        write(results, title, target, Existing.REFUSE);
    }

    public static void write(List<EvalResult> results, String title, Path target, Existing existing) throws IOException {
        PngFiles.write(draw(results, title), target, existing);
    }

    static BufferedImage draw(List<EvalResult> results, String title) {
        TreeSet<Double> xs = new TreeSet<>();
        Map<String, List<EvalResult>> series = new LinkedHashMap<>();
        List<String> methods = new ArrayList<>();
        List<String> unstructured = new ArrayList<>();
        List<String> patterns = new ArrayList<>();
        for (EvalResult r : results) {
            xs.add(r.sparsity());
            series.computeIfAbsent(r.method() + " " + r.setting(), k -> new ArrayList<>()).add(r);
            addOnce(methods, r.method());
            addOnce(isPattern(r.setting()) ? patterns : unstructured, r.setting());
        }
        Map<String, Style> styles = new LinkedHashMap<>();
        for (Map.Entry<String, List<EvalResult>> e : series.entrySet()) {
            EvalResult first = e.getValue().getFirst();
            int m = methods.indexOf(first.method());
            Color color = PALETTE[m % PALETTE.length];
            styles.put(e.getKey(), isPattern(first.setting())
                    ? new Style(color, null, 1 + patterns.indexOf(first.setting()) % 3, (2 * m - methods.size() + 1) * 5)
                    : new Style(color, DASHES[unstructured.indexOf(first.setting()) % DASHES.length], 0, 0));
        }
        List<Double> ticks = new ArrayList<>(xs);
        int width = 2 * PANEL_W + 3 * MARGIN;
        int height = PANEL_H + 2 * MARGIN + LEGEND_H + 20 * Math.max(0, (series.size() - 1) / 4 - 2);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, MARGIN, 28);
        panel(g, MARGIN, MARGIN, "mean cosine similarity to dense embeddings", ticks, series, styles, true);
        panel(g, 2 * MARGIN + PANEL_W, MARGIN, "top-1 retrieval agreement with dense", ticks, series, styles, false);
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

    private static void panel(Graphics2D g, int x0, int y0, String label, List<Double> ticks,
                              Map<String, List<EvalResult>> series, Map<String, Style> styles, boolean cosine) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0xF4F6F8));
        g.fillRect(x0, y0, PANEL_W, PANEL_H);
        for (int i = 0; i <= 5; i++) {
            int y = y0 + PANEL_H - i * PANEL_H / 5;
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(x0, y, x0 + PANEL_W, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.1f", i / 5.0), x0 - 28, y + 4);
        }
        for (int i = 0; i < ticks.size(); i++) {
            int x = xOf(x0, i, ticks.size());
            g.drawString(String.format(Locale.ROOT, "%.2f", ticks.get(i)), x - 12, y0 + PANEL_H + 16);
        }
        g.drawString("sparsity (fraction of linear weights pruned)", x0 + PANEL_W / 2 - 120, y0 + PANEL_H + 32);
        g.drawString(label, x0 + 4, y0 - 6);
        for (Map.Entry<String, List<EvalResult>> e : series.entrySet()) {
            Style style = styles.get(e.getKey());
            g.setColor(style.color());
            int px = -1, py = -1;
            for (EvalResult r : e.getValue()) {
                int x = xOf(x0, ticks.indexOf(r.sparsity()), ticks.size()) + style.nudge();
                double v = Math.max(0, Math.min(1, cosine ? r.meanCosine() : r.top1Agreement()));
                int y = y0 + PANEL_H - (int) Math.round(v * PANEL_H);
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

    private static int xOf(int x0, int index, int count) {
        return x0 + 30 + (count <= 1 ? 0 : index * (PANEL_W - 60) / (count - 1));
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
