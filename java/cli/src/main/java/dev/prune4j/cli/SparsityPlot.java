package dev.prune4j.cli;

import dev.prune4j.analysis.MagnitudeStats;
import dev.prune4j.analysis.Counts;
import dev.prune4j.analysis.SparsityReport;
import dev.prune4j.analysis.TensorStats;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import dev.prune4j.io.AtomicFiles.Existing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws the per-tensor fraction of a {@link SparsityReport} as a horizontal bar chart PNG: one bar per
 * tensor in checkpoint order, labelled with a short name ({@code L0.q_proj}), coloured by kind
 * (attention, MLP, other), with the overall value as a dashed line.
 *
 * <p>Drawn off screen: the command line runs with {@code java.awt.headless=true}, so no display is
 * needed; a font is, which any JDK with fontconfig and one installed font has.
 */
public final class SparsityPlot {
    /** What the bars show. */
    public enum Metric {
        /** Fraction of weights that are zero. */
        SPARSITY,
        /** Fraction of weights with |w| greater than the report's threshold. */
        ABOVE_THRESHOLD;

        double of(MagnitudeStats s) {
            return this == SPARSITY ? s.sparsity() : s.fractionAboveThreshold();
        }
    }

    static final int WIDTH = 1100;
    private static final int MAX_HEIGHT = 30_000;
    private static final Color ATTENTION = new Color(0x4C78A8);
    private static final Color MLP = new Color(0xF58518);
    private static final Color OTHER = new Color(0x9D9D9D);
    private static final Color GRID = new Color(0xDDDDDD);
    private static final Color BAND = new Color(0xF4F6F8);
    private static final Color INK = new Color(0x222222);
    private static final Pattern LAYER = Pattern.compile("^(?:.*\\.)?(?:layers|layer|h|blocks)\\.(\\d+)\\.(.+)$");
    private static final Pattern GROUPING = Pattern.compile("(?:^|\\.)(?:self_attn|attn|attention|mlp|feed_forward)\\.");

    private SparsityPlot() {}

    /**
     * Writes the chart of {@code metric} to {@code png}: drawn in memory, written to a temporary file
     * next to it and moved into place, so a reader never sees half a file.
     *
     * @throws IOException when the folder of {@code png} does not exist or cannot be written, or
     *                     {@code existing} refuses a file there
     */
    public static void write(SparsityReport report, Metric metric, Path png, Existing existing) throws IOException {
        PngFiles.write(render(report, metric), png, existing);
    }

    /** As {@link #write(SparsityReport, Metric, Path, Existing)}, never replacing a file. */
    public static void write(SparsityReport report, Metric metric, Path png) throws IOException {
        write(report, metric, png, Existing.REFUSE);
    }

    /** The chart as an image, {@value #WIDTH} pixels wide and as tall as the tensors need. */
    static BufferedImage render(SparsityReport report, Metric metric) {
        List<TensorStats> tensors = report.tensors();
        int n = tensors.size();
        int rowHeight = n <= 40 ? 22 : n <= 120 ? 16 : 12;
        int top = 96;
        int bottom = 64;
        rowHeight = Math.max(3, Math.min(rowHeight, (MAX_HEIGHT - top - bottom) / Math.max(1, n)));
        boolean labelled = rowHeight >= 9;
        int height = top + Math.max(1, n) * rowHeight + bottom;

        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);

            Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.min(13, rowHeight - 6)));
            Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            List<String> labels = shortNames(tensors.stream().map(TensorStats::name).toList());
            g.setFont(labelFont);
            FontMetrics lm = g.getFontMetrics();
            int labelWidth = 0;
            if (labelled) {
                for (String l : labels) {
                    labelWidth = Math.max(labelWidth, lm.stringWidth(l));
                }
            }
            int left = Math.max(60, labelWidth + 24);
            int right = WIDTH - 70; // room for the value printed after a full bar
            int plotWidth = right - left;
            int plotBottom = top + Math.max(1, n) * rowHeight;

            title(g, report, metric);
            legend(g, right);

            // Alternate a light band per transformer layer, so the eye can follow a layer across.
            Map<String, Integer> layerOf = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Matcher m = LAYER.matcher(tensors.get(i).name());
                if (m.matches()) {
                    layerOf.put(tensors.get(i).name(), Integer.parseInt(m.group(1)));
                }
            }
            for (int i = 0; i < n; i++) {
                Integer layer = layerOf.get(tensors.get(i).name());
                if (layer != null && layer % 2 == 1) {
                    g.setColor(BAND);
                    g.fillRect(0, top + i * rowHeight, right, rowHeight);
                }
            }

            // Grid and ticks every 10 %.
            g.setFont(tickFont);
            FontMetrics tm = g.getFontMetrics();
            for (int p = 0; p <= 100; p += 10) {
                int x = left + (int) Math.round(plotWidth * p / 100.0);
                g.setColor(GRID);
                g.drawLine(x, top, x, plotBottom);
                g.setColor(INK);
                g.drawLine(x, plotBottom, x, plotBottom + 5);
                String t = p + "%";
                g.drawString(t, x - tm.stringWidth(t) / 2, plotBottom + 7 + tm.getAscent());
            }
            g.drawLine(left, plotBottom, right, plotBottom);
            g.drawLine(left, top, left, plotBottom);
            String axis = metric == Metric.SPARSITY ? "fraction of weights that are zero"
                    : "fraction of weights with |w| > " + plain(report.threshold());
            g.drawString(axis, left + (plotWidth - tm.stringWidth(axis)) / 2, plotBottom + 30 + tm.getAscent());

            // Overall value as a dashed line, behind the bars.
            double overall = metric.of(report.overall());
            int x = left + (int) Math.round(plotWidth * overall);
            g.setColor(new Color(0xC0392B));
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            g.drawLine(x, top - 6, x, plotBottom);
            g.setFont(tickFont);
            String o = "overall " + percent(overall);
            int ox = Math.min(x + 4, WIDTH - 6 - g.getFontMetrics().stringWidth(o));
            g.drawString(o, ox, top - 9);
            g.setStroke(new BasicStroke(1f));

            // Bars.
            int barHeight = Math.max(2, (int) Math.round(rowHeight * 0.68));
            for (int i = 0; i < n; i++) {
                TensorStats t = tensors.get(i);
                double v = metric.of(t.stats());
                int y = top + i * rowHeight;
                int w = (int) Math.round(plotWidth * v);
                g.setColor(colour(t.name()));
                g.fillRect(left + 1, y + (rowHeight - barHeight) / 2, w, barHeight);
                if (labelled) {
                    g.setFont(labelFont);
                    g.setColor(INK);
                    int baseline = y + (rowHeight + lm.getAscent() - lm.getDescent()) / 2;
                    g.drawString(labels.get(i), left - 8 - lm.stringWidth(labels.get(i)), baseline);
                    g.setColor(new Color(0x555555));
                    g.drawString(percent(v), left + w + 5, baseline);
                }
            }
            if (n == 0) {
                g.setColor(INK);
                g.drawString("no F32, F16 or BF16 tensors", left + 10, top + 15);
            }

        } finally {
            g.dispose();
        }
        return image;
    }

    private static void title(Graphics2D g, SparsityReport report, Metric metric) {
        g.setColor(INK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        String title = metric == Metric.SPARSITY ? "Sparsity per tensor"
                : "Weights with |w| > " + plain(report.threshold()) + " per tensor";
        g.drawString(title, 20, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(new Color(0x555555));
        MagnitudeStats all = report.overall();
        String sub = report.tensors().size() + " tensors, " + Counts.compact(all.count()) + " weights; "
                + (metric == Metric.SPARSITY ? "zeros " : "above t ") + percent(metric.of(all)) + " overall";
        if (!report.skipped().isEmpty()) {
            sub += "; " + report.skipped().size() + " non-float tensors skipped";
        }
        g.drawString(sub, 20, 52);
    }

    private static void legend(Graphics2D g, int right) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        String[] names = {"attention", "MLP", "other"};
        Color[] colours = {ATTENTION, MLP, OTHER};
        int x = right;
        for (int i = names.length - 1; i >= 0; i--) {
            x -= fm.stringWidth(names[i]);
            g.setColor(INK);
            g.drawString(names[i], x, 30);
            x -= 16;
            g.setColor(colours[i]);
            g.fillRect(x, 30 - 10, 11, 11);
            x -= 18;
        }
    }

    /** Attention projections blue, MLP projections orange, everything else grey. */
    static Color colour(String name) {
        String leaf = leaf(name);
        if (leaf.matches("(q|k|v|o)_proj|qkv_proj|query_key_value|c_attn|wq|wk|wv|wo")
                || name.contains("attn.") || name.contains("attention.")) {
            return ATTENTION;
        }
        if (leaf.matches("(gate|up|down)_proj|gate_up_proj|fc1|fc2|c_fc|c_proj|w1|w2|w3|dense_h_to_4h|dense_4h_to_h")
                || name.contains("mlp.") || name.contains("feed_forward.")) {
            return MLP;
        }
        return OTHER;
    }

    /** The name without {@code .weight}/{@code .bias} and anything before the last remaining dot. */
    private static String leaf(String name) {
        String s = name.replaceFirst("\\.(weight|bias)$", "");
        return s.substring(s.lastIndexOf('.') + 1);
    }

    /**
     * Short labels: {@code model.layers.0.self_attn.q_proj.weight} becomes {@code L0.q_proj},
     * {@code model.embed_tokens.weight} becomes {@code embed_tokens}; a {@code .bias} suffix is kept.
     * Labels that would collide keep the full name.
     */
    static List<String> shortNames(List<String> names) {
        List<String> out = new ArrayList<>(names.size());
        Map<String, Integer> seen = new HashMap<>();
        for (String name : names) {
            String s = shortName(name);
            out.add(s);
            seen.merge(s, 1, Integer::sum);
        }
        for (int i = 0; i < out.size(); i++) {
            if (seen.get(out.get(i)) > 1) {
                out.set(i, names.get(i));
            }
        }
        return out;
    }

    static String shortName(String name) {
        String s = name.replaceFirst("\\.weight$", "");
        Matcher m = LAYER.matcher(s);
        if (m.matches()) {
            return "L" + m.group(1) + "." + GROUPING.matcher(m.group(2)).replaceAll("");
        }
        return s.replaceFirst("^(model|transformer|gpt_neox|decoder)\\.", "");
    }

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * f);
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
